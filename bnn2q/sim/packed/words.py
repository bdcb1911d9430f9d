"""Position-addressed random words (``sim.words``) filled by numba, rows split across threads:
the same words as ``words.fill_numpy``, bit for bit."""

from __future__ import annotations

import numpy as np

from ..splitmix import GAMMA, MASK, MIX1, MIX2
from .jit import njit, split_rows


@njit(inline="always")
def mix(x):
    x ^= x >> np.uint64(30)
    x *= MIX1
    x ^= x >> np.uint64(27)
    x *= MIX2
    x ^= x >> np.uint64(31)
    return x


@njit(inline="always")
def word_pair(key, pair):
    """The 64-bit output holding words 2·pair and 2·pair + 1 of a sample."""
    return mix(key + GAMMA * np.uint64(pair))


@njit
def fill_rows(r0, r1, keys, s0, per_sample, n, col, out):
    """Rows r0 ≤ r < r1 (sample r // per_sample, shot s0 + r % per_sample) of ``out``."""
    width = out.shape[1]
    eight, forty = np.uint64(8), np.uint64(40)
    for r in range(r0, r1):
        key = keys[r // per_sample]
        t = (s0 + r % per_sample) * n + col  # position of the row's first word
        j = 0
        if t % 2 == 1 and width > 0:
            out[r, 0] = np.uint32((word_pair(key, t // 2) >> forty) & MASK)
            j = 1
        first = (t + j) // 2
        pairs = (width - j) // 2
        for p in range(pairs):
            h = word_pair(key, first + p)
            out[r, j + 2 * p] = np.uint32((h >> eight) & MASK)
            out[r, j + 2 * p + 1] = np.uint32((h >> forty) & MASK)
        if j + 2 * pairs < width:
            out[r, width - 1] = np.uint32((word_pair(key, first + pairs) >> eight) & MASK)


def fill(keys: np.ndarray, shots: tuple[int, int], n: int, col: int, out: np.ndarray) -> np.ndarray:
    s0, s1 = shots
    split_rows(fill_rows, out.shape[0], out.shape[1], keys, s0, s1 - s0, n, col, out)
    return out
