"""A first layer's outcomes at τ > 0 from its float32 pre-activations, exactly as from float64 values.

Neuron j fires in shot s when its word k (``words``: known before anything is computed) is
below T(u) = ⌈float32(p(u)) · 2²⁴⌉, p the activation's own ``p_one`` in float64. The first
layer's u comes from one float32 GEMM (``encode32``) or direct float32 convolution
(``conv32``) with a rigorous bound δ on its error, |u₆₄ − u₃₂| ≤ δ for the float64 value u₆₄
(any summation order of either). For the rotation and ancilla-reset laws p is non-decreasing in
u, so T(u₆₄) lies in a bracket [lo, hi) from lower and upper bounds of p(u₃₂ − δ) and
p(u₃₂ + δ), and the outcome is certain unless lo ≤ k < hi: k < lo fires, k ≥ hi does not. Only
those (element, shot) pairs — about 2δ · p'(u) of the draws, 6 × 10⁻⁴ on 784-256-256-10 at
τ = 0.5 with inputs uniform in [−1, 1] (``bench/stages.py``) — are
settled by u₆₄ summed in a fixed order (``exact``: inputs i = 0, 1, …; a convolution's taps
in ``packed.conv``'s order) and T(u₆₄) from ``p_one`` itself. So every outcome is k < T(u₆₄)
for that fixed-order u₆₄: a function of the sample alone, the same on the NumPy and packed
paths and whichever rows share the call. For a convolution the float64 path sums in the same
order, so the outcomes are its own, bit for bit. For a dense layer the float64 path takes u
from BLAS, whose order may vary: its u differs from the fixed-order one by ~n · 2⁻⁵³ Σ|x w|,
and an outcome can differ only where T changes between the two values and the word is the
unit in between (~10⁻¹⁴ of the draws) — the same law, another float64 rounding of u.

The bracket reads p from a table of integers (``LawTable``): F_k = ⌊p(u_k) · 2²⁴⌋ on a grid
u_k of step τ/4096, with F at the two ends p(−∞) and p(+∞). As p is non-decreasing, the grid
point at or below u − δ gives a lower bound and the one at or above u + δ an upper bound,
without interpolation or its error — at the cost of one grid step of p in the bracket's width
(≤ π/32768 · sin g: dp/du ≤ sin g · π/(8τ)). Two table reads per element, nothing else that
does not vectorize. ⌈·⌉ against ⌊·⌋, float32 rounding of p (½ unit) and float64 rounding of
the table's p are absorbed by 2 units on each side. The law itself is evaluated only for the
pairs settled."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .thresholds import ALWAYS, quantize

#: Grid step in units of τ, and the grid's reach: u_k spans ±REACH · τ (beyond it p is within
#: 10⁻⁸ of its limits, which the table's ends hold).
STEPS_PER_TAU = 4096
REACH = 10
#: Threshold units added to each side of a bracket: ⌈·⌉ against ⌊·⌋, float32 rounding of p
#: (½ unit) and the float64 rounding of the table's and the law's p (~10⁻¹⁶).
MARGIN = 2


def supported(act, noise) -> bool:
    """Whether the first layer's law is a non-decreasing p(u) the brackets cover: the rotation
    and ancilla-reset activations at τ > 0 without noise (the ancilla activation carries a
    continuous state from u, and noise laws need not be monotone: both stay in float64)."""
    return noise is None and not act.memory and act.quantumness > 0.0


@dataclass(eq=False)
class LawTable:
    """F = ⌊p · 2²⁴⌋ (int32) at p(−∞), at u_k = u0 + (k − 1) / inv_step for 1 ≤ k < m, and
    at p(+∞) (k = m), p the activation's ``p_one`` in float64."""

    floors: np.ndarray
    u0: float
    inv_step: float
    act: object
    strict: bool

    @classmethod
    @functools.lru_cache(maxsize=8)  # 330 kB and ~4 ms each: made once per law
    def of(cls, act, strict: bool = False) -> "LawTable":
        tau = act.quantumness
        n = 2 * REACH * STEPS_PER_TAU + 1
        u0 = -REACH * tau
        grid = u0 + np.arange(n) * (tau / STEPS_PER_TAU)
        p = act.p_one(np.concatenate([[-np.inf], grid, [np.inf]]), strict=strict)
        floors = np.floor(np.asarray(p, np.float64) * ALWAYS).astype(np.int32)
        floors.setflags(write=False)  # shared by every simulation of this law
        return cls(np.ascontiguousarray(floors), u0, STEPS_PER_TAU / tau, act, strict)

    @property
    def last(self) -> int:
        """m: the index of p(+∞)."""
        return len(self.floors) - 1


def windows(u: np.ndarray, delta: np.ndarray, law: LawTable) -> tuple[np.ndarray, np.ndarray]:
    """Brackets [lo, hi) of T over [u − δ, u + δ], int64 (lo may be negative: no word is below
    it); ``packed.brackets`` has the numba form of the same arithmetic."""
    m = law.last
    ta = np.clip((u.astype(np.float64) - delta - law.u0) * law.inv_step + 1.0, 0.0, m - 1.0)
    tb = np.clip((u.astype(np.float64) + delta - law.u0) * law.inv_step + 1.0, 1.0, float(m))
    lo = law.floors[ta.astype(np.int32)].astype(np.int64) - MARGIN
    hi = law.floors[np.ceil(tb).astype(np.int32)].astype(np.int64) + 1 + MARGIN
    return lo, hi


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


class _Given:
    """The "layer" of values known exactly (a hidden layer's float32 u from integer sums): no
    affine step, no rounding bound (δ = 0), and u₆₄ = float64(u)."""

    def __init__(self, width: int):
        self.a32 = np.ones(width, np.float32)
        self.c32 = self.per_norm = self.abs_offset = np.zeros(width, np.float32)
        self.round_scale = np.float32(0.0)

    @staticmethod
    def exact(x: np.ndarray, q: np.ndarray, j: np.ndarray, jit: bool = False) -> np.ndarray:
        return x[q, j].astype(np.float64)


def given(u: np.ndarray) -> Bracketed:
    """Exact float32 values u [rows, width] as ``Bracketed`` (their brackets are one grid step
    wide: the law of a hidden layer without a table, evaluated only where a word falls in one)."""
    return Bracketed(u, np.zeros((u.shape[0], 1), np.float32), u, _Given(u.shape[1]), jit=True)


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
