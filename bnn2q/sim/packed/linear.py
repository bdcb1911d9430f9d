"""Dense layers and convolutions with ±1 kernels on packed bits: exact integer sums.

Dense: z = n − 2 popcount(s XOR b) row by row (``sums``). Convolution: the input is packed
one group of channel words per pixel, so im2col copies whole words (8 bytes per 64 channels);
each patch row is then a dense row of kh · kw · G words. A tap outside the image reads zero
words, i.e. spins −1 where the convolution's zero padding contributes 0, so

    z = z_packed + Σ_{taps outside} W = z_packed + (Σ_taps W − conv₀(1)),

with conv₀(1) the convolution of an all-ones image under the same padding: a correction per
(position, channel), computed once per layer."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...ir import Conv2D, Dense
from ..derived import derived
from ..workspace import Workspace
from .jit import split_rows
from .layout import Layout, chunk_words, pack, row_words
from .sums import SUMS

#: Words in one im2col patch matrix (8 MiB): convolutions run their rows in chunks this size.
PATCH_WORDS = 1 << 20


def packable(op) -> bool:
    """Whether ``op`` has a packed form: a dense layer or an ungrouped, undilated convolution,
    ±1 kernel."""
    return (isinstance(op, (Dense, Conv2D)) and op.kernel_kind == "binary" and getattr(op, "groups", 1) == 1
            and getattr(op, "dilation", (1, 1)) == (1, 1))


def _transposed_signs(rows: np.ndarray, words: int) -> np.ndarray:
    """Sign bits of ±1 rows [n_out, n] packed to ``words`` words, transposed [words, n_out]."""
    n = rows.shape[1]
    return np.ascontiguousarray(pack(rows > 0, Layout(1, n, words, words)).T)


class PackedDense:
    """z = W y, int32 [rows, n_out], for rows packed as ``layout`` (one group of n_in bits)."""

    def __init__(self, op: Dense):
        self.n_in, self.n_out = op.n_in, op.n_out
        self.n_sums = op.n_out
        self.layout = Layout.dense(op.n_in)
        self.wt = _transposed_signs(op.weight, self.layout.row)
        self.sums = SUMS[chunk_words(self.layout.row)]

    def __call__(self, s: np.ndarray, z: np.ndarray, ws: Workspace | None = None) -> np.ndarray:
        split_rows(self.sums, s.shape[0], self.n_out, s, self.wt, self.n_in, z)
        return z


class PackedConv2D:
    """z = conv(y, K), int32 [rows, oh · ow · c_out] (flat channels-last), for rows packed one
    group of c_in channels per pixel."""

    def __init__(self, op: Conv2D):
        self.op = op
        h, w, cin = op.in_shape
        kh, kw, _, cout = op.kernel.shape
        self.layout = Layout.pixels(h * w, cin)
        g = self.layout.words
        self.taps = kh * kw * g
        self.nw = row_words(64 * self.taps)
        signs = np.zeros((cout, kh, kw, 64 * g), dtype=bool)
        signs[..., :cin] = np.transpose(op.kernel, (3, 0, 1, 2)) > 0
        self.wt = _transposed_signs(signs.reshape(cout, -1), self.nw)
        self.sums = SUMS[chunk_words(self.nw)]
        self.n = kh * kw * cin
        self.out_shape = op.shape_out
        self.n_sums = op.out_size
        self.correction = None
        if any(op.padding):
            inside = _border_map(op)
            self.correction = (op.kernel.reshape(-1, cout).sum(axis=0) - inside).astype(np.int32)

    def __call__(self, s: np.ndarray, z: np.ndarray, ws: Workspace | None = None) -> np.ndarray:
        """``ws``: where the padded input and the patches live (the caller's: the packed
        form is shared by every simulation of the op)."""
        op = self.op
        ws = Workspace() if ws is None else ws
        h, w, _ = op.in_shape
        kh, kw, _, cout = op.kernel.shape
        oh, ow, _ = self.out_shape
        pt, pb, pl, pr = op.padding
        sh, sw = op.strides
        g = self.layout.words
        rows = s.shape[0]
        x = s.reshape(rows, h, w, g)
        zr = z.reshape(rows, oh, ow, cout)
        # Rows per chunk, or bands of output lines when one row's patches exceed the budget.
        per_line = ow * self.nw
        lines = max(1, min(oh, PATCH_WORDS // per_line))
        step = max(1, PATCH_WORDS // (oh * per_line)) if lines == oh else 1
        for lo in range(0, rows, step):
            hi = min(rows, lo + step)
            if any(op.padding):
                # Zeroed once per call: the padding border and the pad words are never written.
                xp = ws.get(f"padded:{id(self)}", (step, h + pt + pb, w + pl + pr, g), np.uint64, zeroed=True)[: hi - lo]
                xp[:, pt: pt + h, pl: pl + w] = x[lo:hi]
            else:
                xp = x[lo:hi]
            for i0 in range(0, oh, lines):
                i1 = min(oh, i0 + lines)
                n_rows = (hi - lo) * (i1 - i0) * ow
                patches = ws.get(f"patches:{id(self)}", (step * lines * ow, self.nw), np.uint64, zeroed=True)[:n_rows]
                windows = _windows(xp, (kh, kw), (sh, sw), i0, i1, ow)
                patches[:, : self.taps].reshape(windows.shape)[...] = windows
                if lines == oh:  # whole rows: straight into z
                    out = z.reshape(rows * oh * ow, cout)[lo * oh * ow: hi * oh * ow]
                else:
                    out = ws.get(f"z:{id(self)}", (step * lines * ow, cout), np.int32)[:n_rows]
                split_rows(self.sums, n_rows, cout, patches, self.wt, self.n, out)
                if lines != oh:
                    zr[lo:hi, i0:i1] = out.reshape(hi - lo, i1 - i0, ow, cout)
        if self.correction is not None:
            zr += self.correction
        return z


def _windows(xp, kernel, strides, i0, i1, ow):
    """[b, i1 − i0, ow, kh, kw, G] view of the windows of output lines i0 ≤ i < i1."""
    (kh, kw), (sh, sw) = kernel, strides
    s0, s1, s2, s3 = xp.strides
    start = xp[:, i0 * sh:]
    return as_strided(start, (xp.shape[0], i1 - i0, ow, kh, kw, xp.shape[3]),
                      (s0, s1 * sh, s2 * sw, s1, s2, s3), writeable=False)


def _border_map(op: Conv2D) -> np.ndarray:
    """conv₀(1): the kernel's sum over the taps inside the image, [oh, ow, c_out]."""
    h, w, cin = op.in_shape
    kh, kw, _, cout = op.kernel.shape
    oh, ow, _ = op.shape_out
    pt, _, pl, _ = op.padding
    sh, sw = op.strides
    rows = np.arange(oh)[:, None] * sh - pt + np.arange(kh)[None, :]  # [oh, kh]
    cols = np.arange(ow)[:, None] * sw - pl + np.arange(kw)[None, :]  # [ow, kw]
    inside = ((rows >= 0) & (rows < h))[:, None, :, None] & ((cols >= 0) & (cols < w))[None, :, None, :]
    tap_sums = op.kernel.sum(axis=2)  # [kh, kw, c_out]
    return np.einsum("ijab,abo->ijo", inside.astype(np.float64), tap_sums)


def packed_linear(op):
    """The packed form of a dense layer or convolution (see ``packable``), made once per op."""
    return derived(op, "packed", lambda: PackedDense(op) if isinstance(op, Dense) else PackedConv2D(op))
