"""A hidden layer's pre-activation u = a · maxpool(z) + c from its packed integer sums, in one
pass (numba): the float32 values the NumPy path computes step by step (z cast to float32 —
exact, |z| < 2²⁴ — the max-pool, then u = z · a + c in float32 without FMA: the same two
roundings), without the casts, pools and affine steps' arrays in between. For layers that take
no table (``fused``: too few rows for a table at τ > 0)."""

from __future__ import annotations

import numpy as np

from .jit import njit, split_rows


@njit(inline="always")
def _window_max(zr, index, e):
    """max_t zr[index[e, t]]: output e's window of a row."""
    m = zr[index[e, 0]]
    for t in range(1, index.shape[1]):
        m = max(m, zr[index[e, t]])
    return m


@njit
def preact_rows(r0, r1, z, index, a, c, u):
    """Rows r0 ≤ r < r1: u[r, e] = float32(max_t z[r, index[e, t]]) · a[e] + c[e]."""
    for r in range(r0, r1):
        zr, ur = z[r], u[r]
        for e in range(index.shape[0]):
            ur[e] = np.float32(_window_max(zr, index, e)) * a[e] + c[e]


@njit
def max_pool_rows(r0, r1, z, index, out):
    """Rows r0 ≤ r < r1: out[r, e] = max_t z[r, index[e, t]] (a fused layer's pooled sums)."""
    for r in range(r0, r1):
        zr, o = z[r], out[r]
        for e in range(index.shape[0]):
            o[e] = _window_max(zr, index, e)


def pool_index(pool) -> np.ndarray:
    """A max-pool's windows as input indices, int64 [n_out, window] (kept with the op)."""
    from ..derived import derived

    return derived(pool, "index", lambda: np.ascontiguousarray(pool.groups(), np.int64))


def max_pool(z: np.ndarray, pool, out: np.ndarray) -> np.ndarray:
    """The int32 sums z [rows, n_in] max-pooled into ``out`` [rows, n_out]."""
    index = pool_index(pool)
    split_rows(max_pool_rows, z.shape[0], index.size, z, index, out)
    return out


class Preactivation:
    """u of a hidden layer from the int32 sums of its packed linear (``fused.FusedLayer``'s
    chain: linear → optional max-pool → affine step)."""

    def __init__(self, fused):
        self.fused = fused
        self.linear_output = fused.steps[-1].output
        pool = fused.pool
        self.index = (pool_index(pool) if pool is not None
                      else np.arange(len(fused.scale), dtype=np.int64)[:, None])
        self.a32 = fused.scale.astype(np.float32)
        self.c32 = fused.offset.astype(np.float32)

    def __call__(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        split_rows(preact_rows, z.shape[0], out.shape[1] * self.index.shape[1], z, self.index, self.a32, self.c32, out)
        return out
