"""The built-in simulator (NumPy): exact measurement statistics of SPEC §2–3."""

from .reference import layer_output_bits, preactivations, simulate_reference, spins
from .result import SimResult
from .sampler import simulate


def next_layer_spins(layer, bits):
    """y = 2s − 1 of the bits ``layer`` hands on (OR-pooled when it pools after its sign)."""
    return spins(layer_output_bits(layer, bits))


__all__ = ["SimResult", "next_layer_spins", "preactivations", "simulate", "simulate_reference"]
