"""The built-in simulator (NumPy): exact measurement statistics of SPEC §2–3."""

from .reference import preactivations, simulate_reference
from .result import SimResult
from .sampler import simulate

__all__ = ["SimResult", "preactivations", "simulate", "simulate_reference"]
