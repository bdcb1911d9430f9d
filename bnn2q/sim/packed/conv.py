"""Direct convolution of real values in float64 (numba), for the encoder's first layers.

An image's 3×3×3 patches make an im2col GEMM with K = 27: BLAS spends more on the patch copy
than on the sums. Here each output pixel accumulates its taps over the output channels (the
vectorized loop) in a fixed order — so a sample's sums do not depend on which rows share the
call (BLAS's blocking would make them differ in the last bit), and both paths use it."""

from __future__ import annotations

import numpy as np

from .jit import njit, split_rows


@njit(inline="always")
def pixel(x, r, i, j, kernel, sh, sw, pt, pl, acc):
    """acc[o] = conv(x[r]) at output pixel (i, j), every channel o, its taps summed in the one
    order both precisions use (kernel row, column, input channel); returns Σ |x| over the patch
    in acc's precision (``packed.conv32``'s rounding bound reads it)."""
    _, h, w, cin = x.shape
    kh, kw, _, cout = kernel.shape
    for o in range(cout):
        acc[o] = 0
    norm = acc.dtype.type(0.0)
    for a in range(kh):
        ii = i * sh - pt + a
        if ii < 0 or ii >= h:
            continue
        for b in range(kw):
            jj = j * sw - pl + b
            if jj < 0 or jj >= w:
                continue
            for c in range(cin):
                v = x[r, ii, jj, c]
                norm += abs(v)
                for o in range(cout):
                    acc[o] += v * kernel[a, b, c, o]
    return norm


@njit
def conv_rows(r0, r1, x, kernel, strides, padding, out):
    """out[r] = conv(x[r], kernel) for r0 ≤ r < r1: x [rows, h, w, c_in], kernel [kh, kw, c_in,
    c_out], out [rows, oh, ow, c_out] (zero padding (top, left) = padding)."""
    _, oh, ow, cout = out.shape
    sh, sw = strides
    pt, pl = padding
    acc = np.empty(cout, np.float64)
    for r in range(r0, r1):
        for i in range(oh):
            for j in range(ow):
                pixel(x, r, i, j, kernel, sh, sw, pt, pl, acc)
                for o in range(cout):
                    out[r, i, j, o] = acc[o]


def conv2d(op, x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """float64 [rows, oh, ow, c_out] of an ungrouped convolution of x [rows, h, w, c_in]."""
    oh, ow, cout = op.shape_out
    out = np.empty((x.shape[0], oh, ow, cout), np.float64)
    pt, _, pl, _ = op.padding
    split_rows(conv_rows, x.shape[0], oh * ow * cout, np.ascontiguousarray(x, np.float64), kernel,
               tuple(op.strides), (pt, pl), out)
    return out
