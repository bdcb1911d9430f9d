"""The built-in simulator (NumPy): exact measurement statistics of SPEC §2–3."""

from .reference import simulate_reference, spins
from .result import SimResult
from .sampler import simulate

__all__ = ["SimResult", "simulate", "simulate_reference", "spins"]
