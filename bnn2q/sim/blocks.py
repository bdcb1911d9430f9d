"""Split samples × shots into blocks of bounded size, so memory stays bounded."""

from __future__ import annotations

from typing import Iterator, NamedTuple


class Block(NamedTuple):
    """Samples [lo, hi) × shots [s0, s1)."""

    lo: int
    hi: int
    s0: int
    s1: int

    @property
    def rows(self) -> int:
        return (self.hi - self.lo) * (self.s1 - self.s0)


def blocks(n_samples: int, shots: int, row_elements: int, budget: int) -> Iterator[Block]:
    """Blocks of at most ``budget // row_elements`` rows (at least one row each): whole
    samples while all their shots fit, else one sample at a time in runs of shots."""
    max_rows = max(1, budget // max(1, row_elements))
    if shots <= max_rows:
        step = max(1, max_rows // shots)
        for lo in range(0, n_samples, step):
            yield Block(lo, min(n_samples, lo + step), 0, shots)
    else:
        for lo in range(n_samples):
            for s0 in range(0, shots, max_rows):
                yield Block(lo, lo + 1, s0, min(shots, s0 + max_rows))
