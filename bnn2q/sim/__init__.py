"""The built-in simulator (NumPy): exact measurement statistics of SPEC §2–3."""

from .sampler import SimResult, preactivations, simulate

__all__ = ["SimResult", "preactivations", "simulate"]
