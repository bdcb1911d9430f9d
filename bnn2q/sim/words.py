"""Uniform 24-bit random words addressed by position.

The word of neuron c (0 ≤ c < N, all hidden layers in order) in shot s of the sample with global
index i is a hash of (key, i, s, c), not the next output of a sequential generator: a sample's
outcomes depend only on the seed, its index, the network and the settings — not on which other
samples share the call, how the rows are split into blocks, or which path computes them. So
``simulate(net, x[lo:hi], seed=s, first_sample=lo)`` gives rows lo:hi of ``simulate(net, x,
seed=s)``, and a test set can be split across processes without changing one outcome.

The hash is SplitMix64's (Steele, Lea & Flood 2014; Stafford's Mix13 finaliser), which passes
BigCrush as a counter-based generator:

    k_i     = mix(key + γ · (i + 1))                  one key per sample
    h       = mix(k_i + γ · ⌊t / 2⌋),  t = s · N + c   two words per 64-bit output
    word    = bits 8–31 of h (t even), bits 40–63 (t odd)

with γ = 0x9E3779B97F4A7C15. Each output is a few multiplies and shifts and depends on nothing
else, so blocks are filled in parallel (numba, ``packed.words``) or by NumPy's uint64 arithmetic
(``fill_numpy``); both give the same words bit for bit. Cost: about 1 ns per word per core (numba)."""

from __future__ import annotations

import numpy as np

from .splitmix import GAMMA, MASK, MIX1, MIX2



def seed_key(seed) -> np.uint64:
    """The 64-bit key of a seed (an int, a SeedSequence, or None: fresh entropy)."""
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return seq.generate_state(1, np.uint64)[0]


def mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on uint64 arrays (wrapping arithmetic), in place."""
    x ^= x >> np.uint64(30)
    x *= MIX1
    x ^= x >> np.uint64(27)
    x *= MIX2
    x ^= x >> np.uint64(31)
    return x


def sample_keys(key: np.uint64, lo: int, hi: int) -> np.ndarray:
    """k_i of global samples lo ≤ i < hi, uint64."""
    i = np.arange(lo + 1, hi + 1, dtype=np.uint64)
    return mix(i * GAMMA + key)


def fill_numpy(keys: np.ndarray, shots: tuple[int, int], n: int, col: int, out: np.ndarray) -> np.ndarray:
    """Words of columns col ≤ c < col + width for rows (sample, shot) — keys[q] the sample's key,
    shots s0 ≤ s < s1, rows sample-major — into ``out`` uint32 [len(keys) · (s1 − s0), width]."""
    s0, s1 = shots
    width = out.shape[1]
    t = (np.arange(s0, s1, dtype=np.uint64)[:, None] * np.uint64(n)
         + np.arange(col, col + width, dtype=np.uint64)[None, :])  # [shots, width]
    h = (t >> np.uint64(1)) * GAMMA
    h = h[None] + keys[:, None, None]  # [samples, shots, width]
    mix(h)
    h >>= (np.uint64(8) + np.uint64(32) * (t & np.uint64(1)))[None]
    h &= MASK
    out[...] = h.reshape(out.shape)
    return out


class WordStream:
    """The words of one simulation: seeded, over all hidden neurons (``n`` per shot).

    ``block(lo, hi, s0, s1, col, width)`` gives the words of samples lo ≤ i < hi (global
    indices), shots s0 ≤ s < s1 and neurons col ≤ c < col + width, uint32 [rows, width]."""

    def __init__(self, seed, n: int, jit: bool = False):
        self.key = seed_key(seed)
        self.n = n
        self.jit = jit
        self._keys = (None, None, None)

    def _sample_keys(self, lo: int, hi: int) -> np.ndarray:
        c_lo, c_hi, keys = self._keys
        if (c_lo, c_hi) != (lo, hi):
            keys = sample_keys(self.key, lo, hi)
            self._keys = (lo, hi, keys)
        return keys

    def block(self, lo: int, hi: int, s0: int, s1: int, col: int, width: int, out=None) -> np.ndarray:
        if out is None:
            out = np.empty(((hi - lo) * (s1 - s0), width), dtype=np.uint32)
        keys = self._sample_keys(lo, hi)
        if self.jit:
            from .packed.words import fill

            return fill(keys, (s0, s1), self.n, col, out)
        return fill_numpy(keys, (s0, s1), self.n, col, out)
