"""Firing probabilities as integer thresholds on uniform 24-bit random words.

The reference draws a float32 uniform d = k · 2⁻²⁴ (k a uniform 24-bit integer: NumPy's own
float32 construction) and fires when d < p, with p rounded to float32. For an integer k,
k · 2⁻²⁴ < p ⟺ k < ⌈p · 2²⁴⌉, so firing when k < T with T = ⌈p · 2²⁴⌉ has exactly the
reference's statistics: exact to float32 resolution of p, and exact at p = 0 and p = 1."""

from __future__ import annotations

import numpy as np

WORD_BITS = 24
#: The threshold of p = 1: every word is below it.
ALWAYS = 1 << WORD_BITS


def quantize(p) -> np.ndarray:
    """T = ⌈float32(p) · 2²⁴⌉ as uint32 (both steps exact in float32)."""
    p32 = np.asarray(p, dtype=np.float32)
    return np.ceil(p32 * np.float32(ALWAYS)).astype(np.uint32)
