"""Uniform 24-bit random words in bulk: the raw output of one fast bit generator.

Two 24-bit words come from each raw 64-bit output (the top 24 bits of each 32-bit half), which
costs about half of what ``Generator.random(dtype=float32)`` spends per draw."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Iterator

import numpy as np

from .thresholds import WORD_BITS


class WordStream:
    """Seeded source of uint32 words uniform on [0, 2²⁴).

    SFC64 (a small chaotic counter generator, passes PractRand/BigCrush) is NumPy's fastest
    bit generator; the same seed gives the same sequence of words, however it is requested."""

    def __init__(self, seed=None):
        self._bitgen = np.random.SFC64(seed)
        self._spare = None  # the second word of a raw output an odd request left over

    def words(self, shape) -> np.ndarray:
        """The next words of the stream, however the requests split it: a word an odd request
        leaves in its last raw output starts the next request (so the simulator's blocks, whose
        sizes differ between its paths, see the same words)."""
        n = int(np.prod(shape))
        if n == 0:
            return np.empty(shape, dtype=np.uint32)
        spare, self._spare = self._spare, None
        take = n - (spare is not None)
        raw = self._bitgen.random_raw((take + 1) // 2).view(np.uint32)
        np.right_shift(raw, 32 - WORD_BITS, out=raw)
        if take % 2:
            self._spare = raw[-1].copy()
        if spare is None:
            return raw[:n].reshape(shape)
        out = np.empty(n, dtype=np.uint32)
        out[0] = spare
        out[1:] = raw[:take]
        return out.reshape(shape)

    def prefetched(self, shapes: Iterable[tuple]) -> Iterator[np.ndarray]:
        """``words(shape)`` for each shape in turn, the next one generated in a background thread
        while the caller works on the current one (NumPy releases the GIL while generating).
        The words are the same as in sequential calls: one thread draws them, in order."""
        shapes = iter(shapes)
        first = next(shapes, None)
        if first is None:
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bnn2q-words") as pool:
            pending = pool.submit(self.words, first)
            for shape in shapes:
                current = pending.result()
                pending = pool.submit(self.words, shape)
                yield current
            yield pending.result()
