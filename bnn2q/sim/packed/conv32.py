"""The first convolution of the real input in float32, max-pooled in the same pass, with each
pooled pixel's largest patch norm (``conv32``'s bound) — directly, or after BLAS made the sums
(``pool_rows``) — and the float64 value of single elements in the float64 path's own order
(``packed.conv``), for the few the bound leaves open."""

from __future__ import annotations

import numpy as np

from .conv import pixel
from .jit import njit, split_rows


@njit(inline="always")
def _pool(r, conv, conv_norm, windows, z, norm):
    """z[r] = the max of conv [pixels, c_out] over each pooled pixel's window, norm[r] the
    largest patch norm in it."""
    cout = conv.shape[1]
    for p in range(windows.shape[0]):
        m = windows[p, 0]
        best = conv_norm[m]
        for o in range(cout):
            z[r, p * cout + o] = conv[m, o]
        for t in range(1, windows.shape[1]):
            m = windows[p, t]
            best = max(best, conv_norm[m])
            for o in range(cout):
                z[r, p * cout + o] = max(z[r, p * cout + o], conv[m, o])
        norm[r, p] = best


@njit
def conv_pool_rows(r0, r1, x, kernel, strides, padding, ow, windows, z, norm):
    """Rows r0 ≤ r < r1: the convolution of x[r] (float32, every output pixel once), then z[r]
    = the max over each pooled pixel's window and norm[r] its largest patch norm."""
    cout = kernel.shape[3]
    sh, sw = strides
    pt, pl = padding
    pixels = windows.max() + 1
    conv = np.empty((pixels, cout), np.float32)
    conv_norm = np.empty(pixels, np.float32)
    for r in range(r0, r1):
        for m in range(pixels):
            conv_norm[m] = pixel(x, r, m // ow, m % ow, kernel, sh, sw, pt, pl, conv[m])
        _pool(r, conv, conv_norm, windows, z, norm)


@njit
def pool_rows(r0, r1, conv, x, kshape, strides, padding, ow, windows, z, norm):
    """Rows r0 ≤ r < r1 of convolutions already made (conv [rows, pixels, c_out], by BLAS):
    z[r] = the max over each pooled pixel's window and norm[r] its largest patch norm (Σ |x|
    over the patch from a float64 summed-area table: four reads a pixel, not kh · kw · c_in)."""
    _, h, w, cin = x.shape
    kh, kw = kshape
    sh, sw = strides
    pt, pl = padding
    conv_norm = np.empty(conv.shape[1], np.float32)
    area = np.zeros((h + 1, w + 1), np.float64)
    for r in range(r0, r1):
        for i in range(h):
            line = 0.0
            for j in range(w):
                for c in range(cin):
                    line += abs(x[r, i, j, c])
                area[i + 1, j + 1] = area[i, j + 1] + line
        for m in range(conv.shape[1]):
            i0, j0 = (m // ow) * sh - pt, (m % ow) * sw - pl
            i1, j1 = min(h, i0 + kh), min(w, j0 + kw)
            i0, j0 = max(0, i0), max(0, j0)
            conv_norm[m] = area[i1, j1] - area[i0, j1] - area[i1, j0] + area[i0, j0]
        _pool(r, conv[r], conv_norm, windows, z, norm)


def conv_pool(layer, x32: np.ndarray, kernels=None) -> tuple[np.ndarray, np.ndarray]:
    """(z [n, width], norm [n, pooled pixels]) of ``conv32.FirstConv32`` on x32 [n, h, w, c_in];
    with ``kernels`` (``host.Kernels``) the convolution is im2col + BLAS sgemm."""
    n = len(x32)
    windows = layer.windows
    z = np.empty((n, windows.shape[0] * layer.k32.shape[3]), np.float32)
    norm = np.empty((n, windows.shape[0]), np.float32)
    pt, _, pl, _ = layer.conv.padding
    conv = layer.conv
    if kernels is None:
        split_rows(conv_pool_rows, n, z.shape[1] * windows.shape[1], x32, layer.k32, conv.strides, (pt, pl),
                   conv.shape_out[1], windows, z, norm)
    else:
        oh, ow, cout = conv.shape_out
        sums = kernels.run(conv, [x32], [conv.in_shape], conv.shape_out).reshape(n, oh * ow, cout)
        split_rows(pool_rows, n, z.shape[1] * windows.shape[1], sums, x32, conv.kernel.shape[:2], conv.strides,
                   (pt, pl), ow, windows, z, norm)
    return z, norm


@njit
def exact_values(x, kernel, strides, padding, ow, windows, q, e, scale, offset, out):
    """out[p] = u of element e[p] of sample q[p] in float64: each window pixel's sum by
    ``packed.conv.pixel`` (the order of ``packed.conv.conv_rows``: kernel row, column, input
    channel), their max, then a m + c as the host's affine step computes it."""
    cout = kernel.shape[3]
    sh, sw = strides
    pt, pl = padding
    acc = np.empty(cout, np.float64)
    for p in range(q.shape[0]):
        r, pixel_index, o = q[p], e[p] // cout, e[p] % cout
        best = -np.inf
        for t in range(windows.shape[1]):
            m = windows[pixel_index, t]
            pixel(x, r, m // ow, m % ow, kernel, sh, sw, pt, pl, acc)
            if t == 0 or acc[o] > best:
                best = acc[o]
        out[p] = best * scale[e[p]] + offset[e[p]]
