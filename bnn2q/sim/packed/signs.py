"""The first layer's signs from its float32 pre-activations in one pass per row (numba): the
affine step, the rounding bound and the decision of ``encode32``, the same decisions as its
NumPy form (an element within the bound is left undecided, 2, for the float64 recheck)."""

from __future__ import annotations

import numpy as np

from .jit import njit, split_rows


@njit
def decide_rows(r0, r1, x, z, a, c, per_norm, round_scale, abs_offset, strict, fires, undecided):
    width = z.shape[1]
    for r in range(r0, r1):
        norm = np.float32(0.0)
        for i in range(x.shape[1]):
            norm += abs(x[r, i])
        count = 0
        for j in range(width):
            u = z[r, j] * a[j] + c[j]
            bound = norm * per_norm[j] + round_scale * (abs(u) + abs_offset[j])
            if abs(u) <= bound:
                fires[r, j] = 2
                count += 1
            elif strict:
                fires[r, j] = u > 0
            else:
                fires[r, j] = u >= 0
        undecided[r] = count


@njit
def decide_given_rows(r0, r1, z, norm, a, c, per_norm, round_scale, abs_offset, strict, fires, undecided):
    """``decide_rows`` with the norms given, ``norm[r, e // channels]`` (``conv32``)."""
    width = z.shape[1]
    channels = width // norm.shape[1]
    for r in range(r0, r1):
        count = 0
        for e in range(width):
            u = z[r, e] * a[e] + c[e]
            bound = norm[r, e // channels] * per_norm[e] + round_scale * (abs(u) + abs_offset[e])
            if abs(u) <= bound:
                fires[r, e] = 2
                count += 1
            elif strict:
                fires[r, e] = u > 0
            else:
                fires[r, e] = u >= 0
        undecided[r] = count


def decide_given(z, norm, layer, fires, undecided) -> None:
    split_rows(decide_given_rows, z.shape[0], z.shape[1], z, norm, layer.a32, layer.c32, layer.per_norm,
               layer.round_scale, layer.abs_offset, layer.strict, fires, undecided)


def decide(x32, z, layer, fires, undecided) -> None:
    split_rows(decide_rows, z.shape[0], z.shape[1] + x32.shape[1], x32, z, layer.a32, layer.c32, layer.per_norm,
               layer.round_scale, layer.abs_offset, layer.strict, fires, undecided)
