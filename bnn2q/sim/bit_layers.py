"""Layers that read bits: integer pre-activations by BLAS, firing thresholds by table lookup.

With s ∈ {0,1} and y = 2s − 1, z = W y = 2 (W s) − W·1: one float32 matmul of the bits
against 2W, exact for |z| < 2²⁴. Since z_j is an integer in [−K, K] (K the most nonzero
weights in a row), P(bit = 1) = p_one(a_j z + c_j) takes at most 2K + 1 values per neuron:
they are computed once, by the activation's own p_one, into a table of thresholds, and each
shot looks its threshold up instead of evaluating the activation."""

from __future__ import annotations

import numpy as np

from ..activations import Rotation
from ..ir import Layer
from .thresholds import quantize
from .workspace import Workspace

#: Float32 holds table indices exactly below 2²⁴.
MAX_TABLE = 1 << 24


class BitInputLayer:
    """One layer whose input is the previous layer's bits: a hidden layer (give ``act``, and
    ``rows``, the number of rows it will see, to decide whether a table pays) or the readout."""

    def __init__(self, layer: Layer, act: Rotation | None = None, rows: int = 0):
        w = layer.matrix()
        self.layer = layer
        self.act = act
        self.twice_weights_t = np.ascontiguousarray(2 * w.T, dtype=np.float32)
        self.row_sums = w.sum(axis=1, dtype=np.int64).astype(np.float32)
        self.reach = int(np.count_nonzero(w, axis=1).max(initial=0))  # K: |z| ≤ K
        self.table = None
        span = 2 * self.reach + 1
        if act is not None and span <= rows and layer.width * span <= MAX_TABLE:
            zs = np.arange(-self.reach, self.reach + 1, dtype=np.float64)
            u = layer.scale[:, None] * zs[None, :] + layer.offset[:, None]
            self.table = quantize(act.p_one(u)).ravel()
            # Flat index of z for neuron j: j·span + z + K (row sums fold in when not pooling).
            base = np.arange(layer.width, dtype=np.float32) * span + self.reach
            self.index_offset = base if layer.pool is not None else base - self.row_sums

    def z(self, s: np.ndarray, ws: Workspace) -> np.ndarray:
        """z = max_pool(W y) as float32 [rows, width] for bits s (float32 0/1) [rows, n_in]."""
        z = ws.get("z", (s.shape[0], self.twice_weights_t.shape[1]), np.float32)
        np.matmul(s, self.twice_weights_t, out=z)
        z -= self.row_sums
        if self.layer.pool is not None:
            z = z[:, self.layer.pool].max(axis=-1)
        return z

    def thresholds(self, s: np.ndarray, ws: Workspace) -> np.ndarray:
        """uint32 thresholds [rows, width] of this layer's bits given the input bits s."""
        if self.table is None:
            return quantize(self.act.p_one(self.layer.scale * self.z(s, ws) + self.layer.offset))
        if self.layer.pool is None:
            z_plus_row_sums = ws.get("z", (s.shape[0], self.layer.width), np.float32)
            np.matmul(s, self.twice_weights_t, out=z_plus_row_sums)
            z = z_plus_row_sums
        else:
            z = self.z(s, ws)
        index = ws.get("index", z.shape, np.intp)
        np.add(z, self.index_offset, out=index, casting="unsafe")  # exact: integers < 2²⁴
        out = ws.get("thresholds", z.shape, np.uint32)
        return self.table.take(index, out=out, mode="clip")  # indices are in range by construction

    def logits(self, s: np.ndarray, ws: Workspace, out: np.ndarray) -> None:
        """out[...] = a z + c (float64) for the readout layer."""
        np.copyto(out, self.z(s, ws).reshape(out.shape))  # float64 first: same-type loops are fast
        out *= self.layer.scale
        out += self.layer.offset
