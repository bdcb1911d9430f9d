"""Scratch arrays reused from block to block.

Fresh large NumPy arrays cost page faults on first touch — as much as the arithmetic on them
at these sizes — so each block's intermediates live in buffers allocated once per call."""

from __future__ import annotations

import math

import numpy as np


class Workspace:
    """Named flat buffers, grown on demand; ``get`` returns a C-contiguous view."""

    def __init__(self):
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple, dtype, zeroed: bool = False) -> np.ndarray:
        """``zeroed``: zeros when first allocated (a caller that never writes some elements —
        a padding border — keeps them zero by asking for the same shape each time)."""
        size = math.prod(shape)
        buf = self._buffers.get(name)
        if buf is None or buf.dtype != np.dtype(dtype) or buf.size < size:
            buf = self._buffers[name] = (np.zeros if zeroed else np.empty)(size, dtype=dtype)
        return buf[:size].reshape(shape)
