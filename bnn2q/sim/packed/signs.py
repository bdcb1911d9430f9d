"""The first layer's signs from its float32 pre-activations in one pass per row (numba): the
affine step, the rounding bound and the decision of ``encode32``, the same decisions as its
NumPy form (an element within the bound is left undecided, ≥ 2, for the float64 recheck)."""

from __future__ import annotations

import numpy as np

from .jit import njit, split_rows


@njit(fastmath={"reassoc", "nsz"})
def abs_sums(r0, r1, x, out):
    """out[r, 0] = Σ_i |x[r, i]| in float32, in any order (reassociated: vectorized) — the
    bound allows for its rounding in any order (``encode32``)."""
    for r in range(r0, r1):
        acc = np.float32(0.0)
        for i in range(x.shape[1]):
            acc += abs(x[r, i])
        out[r, 0] = acc


def norms(x32: np.ndarray) -> np.ndarray:
    """‖x‖₁ of every row, float32 [n, 1]."""
    out = np.empty((x32.shape[0], 1), np.float32)
    split_rows(abs_sums, x32.shape[0], x32.shape[1], x32, out)
    return out


@njit
def decide_given_rows(r0, r1, z, norm, a, c, per_norm, round_scale, abs_offset, strict, fires, undecided):
    """Rows r0 ≤ r < r1: σ, plus 2 where |u| is within the bound (``norm[r, e // channels]``:
    the norm of element e's inputs; one per row for a dense layer, per pooled pixel for
    ``conv32``). Branch-free (σ | unsure << 1), one loop per ``strict`` over 1-D slices from 0:
    LLVM vectorizes it (indexing the 2-D arrays, it does not: 6× slower)."""
    channels = z.shape[1] // norm.shape[1]
    for r in range(r0, r1):
        count = np.int32(0)
        for pos in range(norm.shape[1]):
            n = norm[r, pos]
            lo, hi = pos * channels, (pos + 1) * channels
            zp, fp = z[r, lo:hi], fires[r, lo:hi]
            ap, cp, pp, op = a[lo:hi], c[lo:hi], per_norm[lo:hi], abs_offset[lo:hi]
            if strict:
                for e in range(channels):
                    u = zp[e] * ap[e] + cp[e]
                    au = abs(u)
                    unsure = np.int32(au <= n * pp[e] + round_scale * (au + op[e]))
                    fp[e] = np.uint8(np.int32(u > 0) | (unsure << 1))
                    count += unsure
            else:
                for e in range(channels):
                    u = zp[e] * ap[e] + cp[e]
                    au = abs(u)
                    unsure = np.int32(au <= n * pp[e] + round_scale * (au + op[e]))
                    fp[e] = np.uint8(np.int32(u >= 0) | (unsure << 1))
                    count += unsure
        undecided[r] = count


def decide_given(z, norm, layer, fires, undecided) -> None:
    split_rows(decide_given_rows, z.shape[0], z.shape[1], z, norm, layer.a32, layer.c32, layer.per_norm,
               layer.round_scale, layer.abs_offset, layer.strict, fires, undecided)
