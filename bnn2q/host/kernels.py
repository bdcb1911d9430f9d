"""NumPy evaluation of the deterministic ops (everything but a neuron's measurement).

Arrays carry any leading batch axes followed by the value's channels-last shape, so the same
code runs per sample (encoder, float64) and per sample × shot (core and head). Each op's
constants (transposed weights, pooling windows) are prepared once per dtype and cached."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..ir import (Add, Affine, AvgPool2D, Concat, Conv2D, Dense, Elementwise, Gather, GlobalAvgPool,
                  MaxPool2D, Reshape, Sign)
from . import classical


#: Elements of one im2col patch matrix: a convolution runs its rows in chunks this size
#: (4 MiB of float32) so memory stays bounded and the patches stay in cache.
PATCH_ELEMENTS = 1 << 20


class Kernels:
    """Evaluates ops on batched arrays; ``run(op, args, in_shapes, shape)`` returns the output
    with the args' leading axes followed by ``shape``."""

    def __init__(self, direct_conv=None):
        """``direct_conv``: a function computing float64 convolutions in a fixed order, used
        instead of im2col + BLAS (the simulator passes its numba kernel, ``sim.packed.conv``)."""
        self._cache: dict = {}
        self.direct_conv = direct_conv

    def _const(self, key, make):
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = make()
        return value

    def run(self, op, args: list[np.ndarray], in_shapes, shape: tuple) -> np.ndarray:
        lead = args[0].shape[: args[0].ndim - len(in_shapes[0])]
        method = getattr(self, f"_{type(op).__name__}", None)
        if method is None:  # the general classical steps (``ir.nonlinear``)
            return classical.evaluate(op, args, [tuple(s) for s in in_shapes], lead, tuple(shape))
        return method(op, args, lead, tuple(shape))

    # -- linear layers -----------------------------------------------------------------------

    def _Dense(self, op: Dense, args, lead, shape):
        (x,) = args
        w_t = self._const((id(op), x.dtype), lambda: np.ascontiguousarray(op.weight.T, dtype=x.dtype))
        # One 2-D GEMM over all rows (a 3-D matmul would run one small GEMM per sample).
        return (x.reshape(-1, op.n_in) @ w_t).reshape(lead + (op.n_out,))

    def _Conv2D(self, op: Conv2D, args, lead, shape):
        (x,) = args
        h, w, c = op.in_shape
        batch = int(np.prod(lead, dtype=np.int64))
        kh, kw, cin_g, cout = op.kernel.shape
        oh, ow, _ = op.shape_out
        if self.direct_conv is not None and x.dtype == np.float64 and op.groups == 1:
            full = self._const((id(op), "direct"), lambda: np.ascontiguousarray(op.kernel, dtype=np.float64))
            return self.direct_conv(op, x.reshape((batch, h, w, c)), full).reshape(lead + (oh, ow, cout))
        kernel = self._const((id(op), x.dtype), lambda: np.ascontiguousarray(
            op.kernel.reshape(kh * kw * cin_g, cout), dtype=x.dtype))
        xb = x.reshape((batch, h, w, c))
        out = np.empty((batch, oh, ow, cout), dtype=x.dtype)
        # Rows per chunk, or bands of output lines when one row's patches exceed the budget.
        per_line = ow * kh * kw * cin_g
        lines = max(1, min(oh, PATCH_ELEMENTS // per_line))
        step = max(1, PATCH_ELEMENTS // (oh * per_line)) if lines == oh else 1
        for lo in range(0, batch, step):
            for i0 in range(0, oh, lines):
                self._conv_rows(op, xb[lo: lo + step], kernel, out[lo: lo + step], i0, min(oh, i0 + lines))
        return out.reshape(lead + (oh, ow, cout))

    @staticmethod
    def _conv_rows(op: Conv2D, xb, kernel, out, i0: int, i1: int) -> None:
        """im2col + GEMM per group for a chunk of rows and output lines i0 ≤ i < i1, into
        ``out`` [rows, oh, ow, c_out]."""
        rows, h, w, c = xb.shape
        kh, kw, cin_g, cout = op.kernel.shape
        (eh, ew), (dh, dw) = op.span, op.dilation
        pt, pb, pl, pr = op.padding
        sh, sw = op.strides
        _, oh, ow, _ = out.shape
        # Only the input lines the band reads, zero-padded.
        top, bottom = i0 * sh - pt, (i1 - 1) * sh - pt + eh
        band = np.zeros((rows, bottom - top, w + pl + pr, c), dtype=xb.dtype) if any(op.padding) else None
        if band is not None:
            src_lo, src_hi = max(0, top), min(h, bottom)
            band[:, src_lo - top: src_hi - top, pl: pl + w] = xb[:, src_lo:src_hi]
            xb = band
        else:
            xb = xb[:, top:bottom]
        # [rows, lines, OW, C, kh, kw] windows → patches ordered (kh, kw, c) like the kernel.
        win = sliding_window_view(xb, (eh, ew), axis=(1, 2))[:, :: sh, : (ow - 1) * sw + 1: sw][:, : i1 - i0]
        if (dh, dw) != (1, 1):
            win = win[..., ::dh, ::dw]
        cout_g = cout // op.groups
        for g in range(op.groups):
            patches = win[:, :, :, g * cin_g: (g + 1) * cin_g].transpose(0, 1, 2, 4, 5, 3)
            patches = patches.reshape(rows * (i1 - i0) * ow, kh * kw * cin_g)
            out[:, i0:i1, :, g * cout_g: (g + 1) * cout_g] = (
                patches @ kernel[:, g * cout_g: (g + 1) * cout_g]).reshape(rows, i1 - i0, ow, cout_g)

    # -- elementwise -------------------------------------------------------------------------

    def _Affine(self, op: Affine, args, lead, shape):
        (x,) = args
        scale, offset = self._const((id(op), x.dtype), lambda: (
            np.broadcast_to(op.scale, shape).astype(x.dtype), np.broadcast_to(op.offset, shape).astype(x.dtype)))
        return x * scale + offset

    def _Elementwise(self, op: Elementwise, args, lead, shape):
        (x,) = args
        alpha = op.alpha.astype(x.dtype)
        if op.fn == "relu":
            return np.maximum(x, 0)
        if op.fn == "prelu":
            return np.where(x >= 0, x, alpha * x)
        if op.fn == "hard_tanh":
            return np.clip(x, -alpha, alpha)
        if op.fn == "tanh":
            return np.tanh(x)
        return 1.0 / (1.0 + np.exp(-x))

    def _Sign(self, op: Sign, args, lead, shape):
        (x,) = args
        fires = x > 0 if op.strict else x >= 0
        return np.where(fires, x.dtype.type(1), x.dtype.type(-1))

    # -- pooling -----------------------------------------------------------------------------

    def _MaxPool2D(self, op: MaxPool2D, args, lead, shape):
        (x,) = args
        h, w, c = op.in_shape
        (ph, pw), (sh, sw) = op.pool, op.strides
        oh, ow, _ = shape
        if (ph, pw) == (sh, sw) and not any(op.padding):
            # Non-overlapping windows: a reshape, no gather.
            tiles = x.reshape(lead + (h, w, c))[..., : oh * ph, : ow * pw, :]
            return tiles.reshape(lead + (oh, ph, ow, pw, c)).max(axis=(-4, -2))
        groups = self._const(id(op), op.groups)
        return x.reshape(lead + (-1,))[..., groups].max(axis=-1).reshape(lead + shape)

    def _AvgPool2D(self, op: AvgPool2D, args, lead, shape):
        (x,) = args

        idx, weight = self._const(id(op), op.weights)
        return (x.reshape(lead + (-1,))[..., idx] * weight.astype(x.dtype)).sum(axis=-1).reshape(lead + shape)

    def _GlobalAvgPool(self, op: GlobalAvgPool, args, lead, shape):
        (x,) = args
        h, w, c = op.in_shape
        return x.reshape(lead + (h * w, c)).mean(axis=-2)

    # -- structure ---------------------------------------------------------------------------

    def _Add(self, op: Add, args, lead, shape):
        out = args[0] + args[1]
        for extra in args[2:]:
            out = out + extra
        return out

    def _Concat(self, op: Concat, args, lead, shape):
        lead = np.broadcast_shapes(*(a.shape[: a.ndim - len(shape)] for a in args))
        parts = [np.broadcast_to(a, lead + a.shape[a.ndim - len(shape):]) for a in args]
        return np.concatenate(parts, axis=-1)

    def _Reshape(self, op: Reshape, args, lead, shape):
        return args[0].reshape(lead + shape)

    def _Gather(self, op: Gather, args, lead, shape):
        (x,) = args
        out = x.reshape(lead + (-1,))[..., op.index]
        if op.index.size and op.index.min() < 0:
            out[..., op.index < 0] = 0
        return out.reshape(lead + shape)

