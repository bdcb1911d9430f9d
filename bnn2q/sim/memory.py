"""The memory a simulation will take, estimated before anything large is allocated.

What grows with samples × shots is the output: the bits (1 byte per neuron and shot, unless
``keep_bits=False``) and the logits (8 bytes per class and shot). A block's working memory
is bounded by its rows × the values one row computes. Past the budget — the memory the
system reports available, or ``BNN2Q_MEMORY`` (bytes, or with a K/M/G/T suffix) — the
simulation stops with one line before it starts, instead of failing inside an allocation
(the budget and its message: ``bnn2q.budget``)."""

from __future__ import annotations

import numpy as np

from ..budget import budget, limit_text, size
from ..errors import InputError

__all__ = ["budget", "check_memory", "per_row", "size"]


def per_row(net) -> int:
    """Working bytes of one row of a block, at most: every value after the encoder (8 bytes
    each), and per neuron its bits, random words (this block's and the next's) and packed bits."""
    from ..ir.network import ENCODER

    values = sum(int(np.prod(net.shapes[s.output], dtype=np.int64)) for s in net.steps if s.stage != ENCODER)
    return 8 * values + 17 * net.n_neurons


def check_memory(net, n: int, shots: int, keep_bits: bool, block_rows: int) -> None:
    """Raise InputError when the outputs plus a block's working memory exceed the budget."""
    limit = budget()
    if limit is None:
        return
    bits = n * shots * net.n_neurons if keep_bits else 0
    logits = n * shots * net.n_classes * 8
    row = per_row(net)
    work = min(block_rows, n * shots) * row
    if bits + logits + work <= limit:
        return
    if row > limit:
        raise InputError(f"one shot of this network needs about {size(row)} of working memory, more than "
                         f"{limit_text(limit)}; run it on a machine with more memory (or raise BNN2Q_MEMORY)")
    what = f"{n:,} samples × {shots:,} shots need about {size(bits + logits + work)}"
    parts = (f"{size(bits)} of bits of {net.n_neurons:,} neurons per shot, " if keep_bits else "") + f"{size(logits)} of logits"
    fix = ("pass keep_bits=False (keeps the logits only), use fewer shots, or simulate the samples in batches"
           if keep_bits else "use fewer shots or simulate the samples in batches")
    raise InputError(f"{what} ({parts}), more than {limit_text(limit)}; {fix}")
