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
    bit generator; the same seed and the same sequence of requests give the same words."""

    def __init__(self, seed=None):
        self._bitgen = np.random.SFC64(seed)

    def words(self, shape) -> np.ndarray:
        n = int(np.prod(shape))
        raw = self._bitgen.random_raw((n + 1) // 2)
        out = raw.view(np.uint32)[:n]
        np.right_shift(out, 32 - WORD_BITS, out=out)
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
