"""A first hidden layer behind a convolution of the real input — conv, an optional max-pool of
the sums, an optional affine step (Larq's conv → pool → batch-norm) — in float32, with the
float64 path's outcomes, exactly.

The float64 path convolves directly in numba (``packed.conv``: each output sums its taps in the
order kernel row, column, input channel), max-pools and applies u = a m + c. Here the same runs
in float32 (``packed.conv32``: twice the lanes, the pool and the norms in the same pass; large
patches by im2col + BLAS sgemm, whose order the bound below allows as well), with
the rounding bound of ``encode32`` per output pixel over its patch of K = kh · kw · c_in taps,

    |conv32 − conv| ≤ γ_{K+2} · max|K_o| · Σ_patch |x|,

a max-pool moving no value by more than the largest bound in its window (max is 1-Lipschitz),
and the affine step's own rounding. Elements whose sign (τ = 0) or bracket (τ > 0,
``brackets``) the bound leaves open are recomputed by ``exact``: the float64 path's own sums in
its own order, max and affine step — so the outcomes are the float64 path's, bit for bit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..host.kernels import Kernels
from ..ir import INPUT, Affine, Conv2D, MaxPool2D, Network
from ..ir.network import ENCODER
from .brackets import Bracketed
from .encode32 import SLACK, U32

#: Taps per patch from which the float32 convolution runs as a GEMM (2 cores, OpenBLAS):
#: BinaryAlexNet's 363 taps 26 → 16 ms per 100 samples; the 32×32×3 net's 27 taps 107 → 186 ms
#: per 1,000 (a GEMM with K = 27 spends its time packing).
GEMM_TAPS = 128


@dataclass(eq=False)
class FirstConv32:
    """Hidden layer 0 as u = a · maxpool(conv(x)) + c (``match`` finds it)."""

    value: str
    shape: tuple
    strict: bool
    conv: Conv2D
    windows: np.ndarray  # int64 [pooled pixels, window]: conv output pixels of each pooled pixel
    scale: np.ndarray  # float64 [width]
    offset: np.ndarray  # float64 [width]

    def __post_init__(self):
        kh, kw, cin, cout = self.conv.kernel.shape
        taps = kh * kw * cin
        self.kernel = np.ascontiguousarray(self.conv.kernel, dtype=np.float64)
        self.k32 = self.kernel.astype(np.float32)
        self.a32 = self.scale.astype(np.float32)
        self.c32 = self.offset.astype(np.float32)
        gamma = (taps + 2) * U32 / (1 - (taps + 2) * U32)
        biggest = np.abs(self.kernel).reshape(taps, cout).max(axis=0)  # per output channel
        per_channel = SLACK * gamma * (1 + (taps + 1) * U32) * biggest
        self.per_norm = (np.tile(per_channel, len(self.windows)) * np.abs(self.scale)).astype(np.float32)
        self.round_scale = np.float32(SLACK * 4 * U32)
        self.abs_offset = 2 * np.abs(self.c32)
        # Inputs below this keep u, its bound and the law's arguments far inside float32's range.
        self.input_limit = 2.0 ** 120 / max(1.0, taps * float(np.max(np.abs(self.kernel), initial=0)
                                                              * np.max(np.abs(self.scale), initial=0)))
        # Large patches (BinaryAlexNet's 11 × 11 × 3) as im2col + BLAS sgemm; small ones
        # (3 × 3 × 3) directly, where the GEMM's packing costs more than the sums.
        self.gemm = Kernels() if taps >= GEMM_TAPS else None

    @classmethod
    def match(cls, net: Network) -> "FirstConv32 | None":
        """The layer when the encoder is an ungrouped convolution of the input, an optional
        max-pool and an optional affine step, and nothing but hidden layer 0's sign reads it."""
        encoder = net.stage(ENCODER)
        if not encoder or not net.hidden:
            return None
        layer = net.hidden[0]
        kinds = [type(s.op) for s in encoder]
        if kinds not in ([Conv2D], [Conv2D, MaxPool2D], [Conv2D, Affine], [Conv2D, MaxPool2D, Affine]):
            return None
        if encoder[0].inputs[0] != INPUT or encoder[0].op.groups != 1 or encoder[-1].output != layer.preactivation:
            return None
        if any(s.inputs[0] != prev.output for prev, s in zip(encoder, encoder[1:])):
            return None
        for step in encoder:
            for value in (step.output, *step.inputs):
                if value != layer.preactivation and any(c.stage != ENCODER for c in net.consumers.get(value, [])):
                    return None
        if any(c.output != layer.output for c in net.consumers.get(layer.preactivation, [])):
            return None
        conv = encoder[0].op
        oh, ow, cout = conv.shape_out
        pool = next((s.op for s in encoder if isinstance(s.op, MaxPool2D)), None)
        if pool is None:
            windows = np.arange(oh * ow, dtype=np.int64)[:, None]
        else:
            windows = np.ascontiguousarray(pool.groups()[::cout] // cout, dtype=np.int64)
        width = int(np.prod(layer.shape))
        affine = next((s for s in encoder if isinstance(s.op, Affine)), None)
        if affine is None:
            scale, offset = np.ones(width), np.zeros(width)
        else:
            scale, offset = affine.op.full(net.shapes[affine.inputs[0]])
        if len(windows) * cout != width:
            return None
        return cls(layer.preactivation, tuple(layer.shape), layer.strict, conv, windows,
                   np.ascontiguousarray(scale, dtype=np.float64), np.ascontiguousarray(offset, dtype=np.float64))

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """z = maxpool(conv32(x)) [n, width] and each pooled pixel's largest patch norm [n, P],
        float32."""
        from .packed.conv32 import conv_pool

        x32 = np.ascontiguousarray(x, dtype=np.float32).reshape((len(x),) + self.conv.in_shape)
        return conv_pool(self, x32, self.gemm)

    def signs(self, x: np.ndarray, jit: bool = True) -> np.ndarray:
        """σ of every sample and element, bool [n, width], as the float64 path computes it."""
        from .packed.brackets import undecided_pairs
        from .packed.signs import decide_given

        z, norm = self.forward(x)
        fires = np.empty(z.shape, np.uint8)
        undecided = np.empty(len(z), np.int32)
        decide_given(z, norm, self, fires, undecided)
        rows, cols = undecided_pairs(undecided, fires)
        if rows.size:
            u = self.exact(x, rows, cols)
            fires[rows, cols] = u > 0 if self.strict else u >= 0
        return fires.view(np.bool_)

    def bracket(self, x: np.ndarray, jit: bool = True) -> Bracketed:
        """τ > 0: the float32 values and norms for ``brackets``."""
        z, norm = self.forward(x)
        return Bracketed(z, norm, x, self, True)

    def exact(self, x: np.ndarray, q: np.ndarray, e: np.ndarray, jit: bool = True) -> np.ndarray:
        """u of elements e of samples q, float64: the float64 path's sums, max and affine step."""
        from .packed.conv32 import exact_values

        samples, q = np.unique(q, return_inverse=True)
        x64 = np.ascontiguousarray(x[samples], dtype=np.float64).reshape((len(samples),) + self.conv.in_shape)
        out = np.empty(len(q), np.float64)
        pt, _, pl, _ = self.conv.padding
        exact_values(x64, self.kernel, self.conv.strides, (pt, pl), self.conv.shape_out[1], self.windows,
                     np.ascontiguousarray(q, np.int64), np.ascontiguousarray(e, np.int64), self.scale, self.offset, out)
        return out
