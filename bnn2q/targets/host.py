"""The classical arithmetic the host does between circuits: what a layer reads from bits."""

from __future__ import annotations

import numpy as np


def next_layer_spins(layer, bits: np.ndarray) -> np.ndarray:
    """y = 2s − 1 of the bits ``layer`` hands on (OR-pooled when it pools after its sign)."""
    if layer.or_pool is not None:
        bits = bits[..., layer.or_pool].max(axis=-1)
    return bits.astype(np.float64) * 2.0 - 1.0
