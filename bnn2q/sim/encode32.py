"""The first hidden layer's signs from real inputs in float32 — one BLAS GEMM over every distinct
sample — with the float64 path's outcomes, exactly.

At τ = 0 a first-layer neuron's outcome depends on σ = [u ≥ 0] alone (``strict``: u > 0), with
u = a · (W x) + c. The float32 GEMM's rounding is bounded rigorously: for any summation order
(BLAS blocks and FMA included),

    |fl32(W x)_j − (W x)_j| ≤ γ_{n+2} Σ_i |W_ji| |x_i| ≤ γ_{n+2} · max_i |W_ji| · ‖x‖₁,
    γ_m = m u / (1 − m u),  u = 2⁻²⁴,

the +2 covering x and W rounded to float32; the affine step in float32 adds at most
4 u (|a z| + |c|). Wherever |u32| exceeds that bound (times 1.01, which also covers the float64
path's own rounding, ~2⁻²⁹ of it), u32 has the sign of the float64 value; the few elements
within it are recomputed in float64, one dot product each, and the ties among them (z = 0 to the
last bit) from the correctly rounded sum. So the signs are the float64 path's — the classical
limit stays exact, ties decided by the input's value rather than a summation order — at the
cost of a float32 GEMM and one pass over its output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..host.inputs import check_finite
from ..ir import INPUT, Affine, Dense, Network, Reshape
from ..ir.network import ENCODER
from .brackets import Bracketed

U32 = 2.0 ** -24
#: Slack on the bound: the float64 path's own rounding and the bound's arithmetic.
SLACK = 1.01


class OutOfRange(Exception):
    """Finite inputs whose float32 sums could overflow: the first layer is left to float64."""


@dataclass(eq=False)
class FirstLayer32:
    """Hidden layer 0 as u = a · (W x) + c from the input (``match`` finds it)."""

    value: str  # the pre-activation's name
    shape: tuple
    strict: bool
    weight: np.ndarray  # float64 [width, n_in]
    scale: np.ndarray  # float64 [width]
    offset: np.ndarray  # float64 [width]

    def __post_init__(self):
        self.weight = np.ascontiguousarray(self.weight, dtype=np.float64)
        n_in = self.weight.shape[1]
        self.w32 = np.ascontiguousarray(self.weight.T, dtype=np.float32)
        self.a32 = self.scale.astype(np.float32)
        self.c32 = self.offset.astype(np.float32)
        gamma = (n_in + 2) * U32 / (1 - (n_in + 2) * U32)
        # Per neuron: the GEMM's bound on u per unit of ‖x‖₁ (the sum itself in float32: + n u).
        self.per_norm = (SLACK * gamma * (1 + (n_in + 1) * U32) * np.abs(self.weight).max(axis=1, initial=0)
                         * np.abs(self.scale)).astype(np.float32)
        self.round_scale = np.float32(SLACK * 4 * U32)
        self.abs_offset = 2 * np.abs(self.c32)  # |a z| + |c| ≤ |u| + 2 |c|
        # Norms below this keep u, its bound and the law's arguments far inside float32's range.
        self.norm_limit = 2.0 ** 120 / max(1.0, float(np.max(np.abs(self.weight), initial=0) * np.max(np.abs(self.scale))))

    @classmethod
    def match(cls, net: Network) -> "FirstLayer32 | None":
        """The layer when the encoder is a dense layer on the (reshaped) input, an optional
        affine step and reshapes, and nothing but hidden layer 0's sign reads it; else None."""
        encoder = net.stage(ENCODER)
        if not encoder or not net.hidden:
            return None
        layer = net.hidden[0]
        dense = affine = None
        flat = {INPUT}  # the input and reshapes of it: the same values in the same flat order
        for step in encoder:
            if isinstance(step.op, Reshape) and dense is None and step.inputs[0] in flat:
                flat.add(step.output)
            elif isinstance(step.op, Dense) and dense is None and step.inputs[0] in flat:
                dense = step
            elif isinstance(step.op, Affine) and dense is not None and affine is None:
                affine = step
            elif not isinstance(step.op, Reshape) or dense is None:
                return None
        if dense is None or encoder[-1].output != layer.preactivation:
            return None
        inside = {s.output for s in encoder}
        for value in (inside | {INPUT}) - {layer.preactivation}:
            if any(c.stage != ENCODER for c in net.consumers.get(value, [])):
                return None
        if any(c.output != layer.output for c in net.consumers.get(layer.preactivation, [])):
            return None  # u is read as a real value too (a residual stream): not its sign alone
        width = dense.op.n_out
        if affine is None:
            scale, offset = np.ones(width), np.zeros(width)
        else:
            scale, offset = affine.op.full(net.shapes[affine.inputs[0]])
        if np.prod(layer.shape) != width:
            return None
        return cls(layer.preactivation, tuple(layer.shape), layer.strict, dense.op.weight,
                   np.ascontiguousarray(scale, dtype=np.float64), np.ascontiguousarray(offset, dtype=np.float64))

    def signs(self, x: np.ndarray, jit: bool = False) -> np.ndarray:
        """σ of every sample and neuron, bool [n, width], as the float64 path computes it
        (``jit``: the pass after the GEMM in numba, ``packed.signs``)."""
        x32 = _float32(x)
        norm = self.norms(x, x32, jit)
        u = x32 @ self.w32  # BLAS sgemm
        if jit:
            from .packed.brackets import undecided_pairs
            from .packed.signs import decide_given

            fires = np.empty(u.shape, np.uint8)
            undecided = np.empty(u.shape[0], np.int32)
            decide_given(u, norm, self, fires, undecided)
            rows, cols = undecided_pairs(undecided, fires)
            if rows.size:
                fires[rows, cols] = self.exact_signs(x, rows, cols, jit=True)
            return fires.view(np.bool_)
        u *= self.a32
        u += self.c32
        bound = np.abs(u)
        bound += self.abs_offset
        bound *= self.round_scale
        bound += norm * self.per_norm[None, :]
        fires = u > 0 if self.strict else u >= 0
        rows, cols = np.nonzero(np.abs(u) <= bound)
        if rows.size:
            fires[rows, cols] = self.exact_signs(x, rows, cols)
        return fires

    def exact_signs(self, x: np.ndarray, rows: np.ndarray, cols: np.ndarray, jit: bool = False) -> np.ndarray:
        """σ of the given (sample, neuron) pairs from float64 dot products; where even those
        are within their rounding (ties: z = 0 up to the data's last bit), from the correctly
        rounded sum of the products (``math.fsum``; exact for ±1 kernels), so that a tie is
        decided by the input's value, not by a summation order — and σ is the exact sum's
        whichever order the float64 sums take (``jit``: numba's, else NumPy's)."""
        a, c = self.scale[cols], self.offset[cols]
        if jit:
            from .packed.brackets import dot_abs_rows

            z, z_abs = np.empty(len(rows)), np.empty(len(rows))
            dot_abs_rows(np.ascontiguousarray(x), self.weight, np.ascontiguousarray(rows, np.int64),
                         np.ascontiguousarray(cols, np.int64), z, z_abs)
        else:
            xs, w = x[rows].astype(np.float64), self.weight[cols]
            z, z_abs = np.einsum("ij,ij->i", xs, w), np.einsum("ij,ij->i", np.abs(xs), np.abs(w))
        u = z * a + c
        n = x.shape[1]
        bound = 2 * (n + 4) * 2.0 ** -53 * (np.abs(a) * z_abs + np.abs(u) + 2 * np.abs(c))
        for i in np.flatnonzero(np.abs(u) <= bound):
            u[i] = math.fsum(x[rows[i]].astype(np.float64) * self.weight[cols[i]]) * a[i] + c[i]
        return u > 0 if self.strict else u >= 0

    def bracket(self, x: np.ndarray, jit: bool = False) -> Bracketed:
        """τ > 0: the float32 sums z = x W (one BLAS GEMM) and ‖x‖₁ per sample, for
        ``brackets`` (``jit``: ``exact`` by numba)."""
        x32 = _float32(x)
        norm = self.norms(x, x32, jit)
        return Bracketed(x32 @ self.w32, norm, x, self, jit)

    def norms(self, x: np.ndarray, x32: np.ndarray, jit: bool) -> np.ndarray:
        """‖x32‖₁ of each sample, float32 [n, 1] — and the inputs' check (``simulate`` leaves
        it here): a NaN or ±inf makes its sample's norm NaN or inf, so only then is x itself
        searched; finite inputs that large raise ``OutOfRange``."""
        if jit:
            from .packed.signs import norms

            norm = norms(np.ascontiguousarray(x32))
        else:
            norm = np.abs(x32).sum(axis=1, dtype=np.float32)[:, None]
        if not (norm < self.norm_limit).all():
            check_finite(x)
            raise OutOfRange
        return norm

    def exact(self, x: np.ndarray, q: np.ndarray, j: np.ndarray, jit: bool = False) -> np.ndarray:
        """u of neurons j of samples q (rows of x), float64, each a dot product summed in the
        order i = 0, 1, … then the affine step: the same value from numba (``jit``) and NumPy."""
        q = np.ascontiguousarray(q, dtype=np.int64)
        j = np.ascontiguousarray(j, dtype=np.int64)
        if jit:
            from .packed.brackets import dot_rows

            out = np.empty(len(q), np.float64)
            dot_rows(np.ascontiguousarray(x), self.weight, q, j, self.scale, self.offset, out)
            return out
        xs = x[q].astype(np.float64)
        w = self.weight[j]
        acc = np.zeros(len(q))
        for i in range(xs.shape[1]):
            acc += xs[:, i] * w[:, i]
        return acc * self.scale[j] + self.offset[j]


def _float32(x: np.ndarray) -> np.ndarray:
    """x in float32 (values beyond its range become ±inf: ``norms`` then raises OutOfRange)."""
    if x.dtype == np.float32:
        return x
    with np.errstate(over="ignore"):
        return x.astype(np.float32)
