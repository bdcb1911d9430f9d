"""A first layer's outcomes at τ > 0 from its float32 pre-activations, exactly as from float64.

Neuron j fires in shot s when its word k (``words``: known before anything is computed) is
below T(u) = ⌈float32(p(u)) · 2²⁴⌉, p the activation's own ``p_one`` in float64. The first
layer's u comes from one float32 GEMM (``encode32``) or direct float32 convolution
(``conv32``) with a rigorous bound δ on its error, |u₆₄ − u₃₂| ≤ δ for the float64 value u₆₄
(any summation order of either). For the rotation and ancilla-reset laws p is non-decreasing in
u, so T(u₆₄) lies in a bracket [lo, hi) computed from p(u₃₂ − δ) and p(u₃₂ + δ), and the
outcome is certain unless lo ≤ k < hi: k < lo fires, k ≥ hi does not. Only those (element,
shot) pairs — about 2δ · p'(u) of the draws, ~10⁻³ on a 784-input layer at τ = 0.5 — are
settled by u₆₄ summed in a fixed order (``exact``: inputs i = 0, 1, …; a convolution's taps
in ``packed.conv``'s order) and T(u₆₄) from ``p_one`` itself. So every outcome is k < T(u₆₄)
for that fixed-order u₆₄: a function of the sample alone, the same on the NumPy and packed
paths and whichever rows share the call. For a convolution the float64 path sums in the same
order, so the outcomes are its own, bit for bit. For a dense layer the float64 path takes u
from BLAS, whose order may vary: its u differs from the fixed-order one by ~n · 2⁻⁵³ Σ|x w|,
and an outcome can differ only where T changes between the two values and the word is the
unit in between (~10⁻¹⁴ of the draws) — the same law, another float64 rounding of u.

The bracket reads p from a table (``LawTable``: p on a grid of step h, linear between the grid
points), whose error is at most h²/8 · max|p''| (below 30 of 2²⁴ threshold units here); the
table's error, float32 rounding of p and ceil are absorbed by widening the bracket by that
error and 2 units on each side. The law itself is evaluated only for the pairs settled."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .thresholds import ALWAYS, quantize

#: Grid step in units of τ (u / τ), and the grid's reach: beyond ±REACH · τ the bracket uses
#: the law's limits p(±∞) (p is within 10⁻¹⁰ of them there).
STEP = 2.0 ** -8
REACH = 12.0
#: Threshold units added to each side of a bracket: float32 rounding of p (≤ 1 unit), ceil,
#: and the float64 law's own rounding (~10⁻¹⁶, a unit only at a float32 rounding boundary).
MARGIN = 2


def supported(act, noise) -> bool:
    """Whether the first layer's law is a non-decreasing p(u) the brackets cover: the rotation
    and ancilla-reset activations at τ > 0 without noise (the ancilla activation carries a
    continuous state from u, and noise laws need not be monotone: both stay in float64)."""
    return noise is None and not act.memory and act.quantumness > 0.0


@dataclass(eq=False)
class LawTable:
    """p(u) of an activation on the grid u_k = u0 + k · step (float64, ``p_one``), its error
    bound between grid points, and its limits p(−∞), p(+∞)."""

    u0: float
    inv_step: float
    table: np.ndarray
    err: float
    p_min: float
    p_max: float
    act: object
    strict: bool

    @classmethod
    def of(cls, act, strict: bool = False) -> "LawTable":
        tau = act.quantumness
        step = STEP * tau
        n = int(round(2 * REACH / STEP))
        u0 = -REACH * tau
        grid = u0 + step * np.arange(n + 1)
        table = np.asarray(act.p_one(grid, strict=strict), dtype=np.float64)
        p_min, p_max = (float(v) for v in act.p_one(np.array([-np.inf, np.inf]), strict=strict))
        return cls(u0, 1.0 / step, np.ascontiguousarray(table), second_derivative_error(act, step), p_min, p_max,
                   act, strict)

    @property
    def u_top(self) -> float:
        """The last grid point."""
        return self.u0 + (len(self.table) - 1) / self.inv_step


def second_derivative_error(act, step: float) -> float:
    """A bound on |p(u) − lerp(u)| between grid points: step²/8 · max|p''|, plus the rounding
    of the table's values and of the interpolation (10⁻¹²).

    p = (1 − f)/2 + f sin²(π σ/2) with σ = σ(v), v = u/τ, f = sin g (1 for rotation):
    dp/dv = f (π/2) sin(πσ) σ', d²p/dv² = f (π/2)(π cos(πσ) σ'² + sin(πσ) σ''), and with
    σ' = σ(1 − σ) ≤ 1/4, |σ''| = σ' |1 − 2σ| ≤ 1/4: |d²p/du²| ≤ f (π/2)(π/16 + 1/4) / τ²."""
    tau = act.quantumness
    bound = 1.01 * act.fidelity * (math.pi / 2) * (math.pi / 16 + 0.25) / (tau * tau)
    return step * step / 8 * bound + 1e-12


def windows(u: np.ndarray, delta: np.ndarray, law: LawTable) -> tuple[np.ndarray, np.ndarray]:
    """Brackets [lo, hi) of T over [u − δ, u + δ], uint32 (NumPy; ``packed.brackets`` has the
    numba form of the same arithmetic)."""
    a = u.astype(np.float64) - delta
    b = u.astype(np.float64) + delta
    lower = np.where(a < law.u0, law.p_min, _lerp(a, law) - law.err)
    upper = np.where(b >= law.u_top, law.p_max, _lerp(b, law) + law.err)
    lo = np.floor(lower * ALWAYS) - MARGIN
    hi = np.ceil(upper * ALWAYS) + MARGIN
    return np.clip(lo, 0, ALWAYS).astype(np.uint32), np.clip(hi, 0, ALWAYS + MARGIN).astype(np.uint32)


def _lerp(v: np.ndarray, law: LawTable) -> np.ndarray:
    m = len(law.table) - 1
    t = np.clip((v - law.u0) * law.inv_step, 0.0, float(m))
    k = np.minimum(t.astype(np.int64), m - 1)
    frac = t - k
    return law.table[k] + frac * (law.table[k + 1] - law.table[k])


@dataclass(eq=False)
class Bracketed:
    """A first layer's float32 values for some samples: z [n, width] (before the affine step
    u = a z + c), the norms [n, P] its bound reads (P positions of ``width // P`` channels
    each), the inputs x for the float64 recheck, and the layer (``encode32.FirstLayer32`` or
    ``conv32.FirstConv32``: a32, c32, per_norm, round_scale, abs_offset, ``exact``)."""

    z: np.ndarray
    norm: np.ndarray
    x: np.ndarray
    layer: object
    jit: bool = False

    def __getitem__(self, rows: slice) -> "Bracketed":
        return Bracketed(self.z[rows], self.norm[rows], self.x[rows], self.layer, self.jit)

    @property
    def channels(self) -> int:
        return self.z.shape[1] // self.norm.shape[1]

    def delta_u(self) -> tuple[np.ndarray, np.ndarray]:
        """(u, δ) per element, float32 (NumPy)."""
        layer = self.layer
        u = self.z * layer.a32 + layer.c32
        norm = np.repeat(self.norm, self.channels, axis=1)
        delta = norm * layer.per_norm + layer.round_scale * (np.abs(u) + layer.abs_offset)
        return u, delta


def fire_numpy(values: Bracketed, law: LawTable, words: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Outcomes (bool ``out`` [samples, shots, width]) with the undecided ones settled."""
    u, delta = values.delta_u()
    lo, hi = windows(u, delta, law)
    w = words.reshape(out.shape)
    np.less(w, lo[:, None], out=out)
    undecided = (w >= lo[:, None]) & (w < hi[:, None])
    q, s, e = np.nonzero(undecided)
    if q.size:
        t = settle(values, law, q, e)
        out[q, s, e] = w[q, s, e] < t
    return out


def settle(values: Bracketed, law: LawTable, q: np.ndarray, e: np.ndarray) -> np.ndarray:
    """T(u₆₄) of elements e of samples q (block rows of ``values``), uint32: each distinct
    element's u₆₄ once (``layer.exact``), then the law (``p_one``) on those values alone."""
    width = values.z.shape[1]
    key = q.astype(np.int64) * width + e
    unique, inverse = np.unique(key, return_inverse=True)
    u64 = values.layer.exact(values.x, unique // width, unique % width, values.jit)
    return quantize(law.act.p_one(u64, strict=law.strict))[inverse]
