"""Fixed-point integers for feed-forward arithmetic: real weights as integer multiples of one
unit, the levels an integer sum of spins reaches, and the first integer where a monotone
function reaches a value — what level chains and auxiliary program integers share.

Integer sums. u = Σ_i w_i y_i + c becomes u = unit · z + c with z = Σ_i k_i y_i, k_i integers:

- exactly, when the weights are integer multiples of one unit (±1 kernels times a batch-norm
  scale, residual sums of them): unit = min |w_i|;
- otherwise in fixed point: unit = 2^−e with e the largest such that Σ|k_i| < 2^(bits − 2) (the
  program's integer stays in range), k_i = round(w_i 2^e). Float32 weights are dyadic, so this
  is exact when their exponents span few enough bits; otherwise |u − unit z − c| ≤ δ =
  Σ|w_i − k_i unit| (``rounding``)."""

from __future__ import annotations

import math

import numpy as np

#: Most levels a chain lists (and tabulates exactly).
MAX_LEVELS = 4096
#: Work bound of the subset-sum enumeration of reachable levels (terms × range).
MAX_SUBSET_WORK = 1 << 25
#: Up to this many terms every sign pattern is enumerated (2ⁿ sums), whatever the integers.
MAX_ENUMERATED_TERMS = 12
#: Relative slack when testing that weights are integer multiples of one unit.
INTEGER_RTOL = 1e-9


def integer_weights(w: np.ndarray, int_bits: int, magnitudes=None) -> tuple[np.ndarray, float, float]:
    """(k, unit, rounding δ) with w ≈ k · unit (see the module docstring). ``magnitudes``: the
    largest |x_i| each weight multiplies (1 for spins; an auxiliary integer's bound), so that
    Σ |k_i| · magnitude_i stays within the integer."""
    if not np.any(w):
        return np.zeros(len(w), dtype=np.int64), 1.0, 0.0
    mags = np.ones(len(w)) if magnitudes is None else np.maximum(np.asarray(magnitudes, dtype=np.float64), 1.0)
    limit = 2.0 ** (int_bits - 2)
    unit = float(np.abs(w[w != 0]).min())  # zero weights are 0 · unit whatever the unit
    q = w / unit
    k = np.round(q)
    if np.all(np.abs(q - k) <= INTEGER_RTOL * np.abs(q)) and (np.abs(k) * mags).sum() < limit:
        return k.astype(np.int64), unit, 0.0
    # The largest power-of-two scale the integer holds; exact from the first one at which
    # every weight (a dyadic rational, from float32 or float64) is an integer.
    top = math.floor(math.log2(limit / (np.abs(w) * mags).sum()))
    for e in range(min(top, -math.frexp(float(np.abs(w).max()))[1] + 1), top + 1):
        scaled = w * 2.0 ** e
        if np.all(scaled == np.round(scaled)):
            return np.round(scaled).astype(np.int64), 2.0 ** -e, 0.0
    k = np.round(w * 2.0 ** top)
    unit = 2.0 ** -top
    return k.astype(np.int64), unit, float((np.abs(w - k * unit) * mags).sum())


def levels(k: np.ndarray) -> np.ndarray | None:
    """The sorted reachable values of z = Σ k_i y_i, or None when there are too many to list.

    z is smallest, −Σ|k_i|, with every y_i = −sign(k_i); flipping y_i adds 2|k_i|, so the
    reachable set is −Σ|k_i| plus the subset sums of the 2|k_i|."""
    a = np.abs(k)
    n, reach = len(k), int(a.sum())
    if n == 0:
        return np.zeros(1, dtype=np.int64)
    if np.all(a == a[0]):  # ±c kernels: −n c, (−n + 2) c, …, n c
        return np.arange(-n, n + 1, 2, dtype=np.int64) * int(a[0]) if n + 1 <= MAX_LEVELS else None
    if n <= MAX_ENUMERATED_TERMS:
        signs = 1 - 2 * ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1)
        return np.unique(signs @ a)
    if n * reach > MAX_SUBSET_WORK:
        return None
    reachable = np.zeros(2 * reach + 1, dtype=bool)  # index z + reach
    reachable[0] = True
    for step in 2 * a[a > 0]:
        reachable[step:] |= reachable[:-step].copy()
    levels = np.flatnonzero(reachable) - reach
    return levels if len(levels) <= MAX_LEVELS else None




def first_at_least(f, lo: int, hi: int, target: float) -> int:
    """The smallest z in [lo, hi] with f(z) ≥ target for a non-decreasing f (hi + 1 if none),
    by bisection: O(log(hi − lo)) evaluations, whatever the range of a fixed-point sum."""
    if float(f(hi)) < target:
        return hi + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if float(f(mid)) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo
