"""The memory a simulation will take, estimated before anything large is allocated.

What grows with samples × shots is the output: the bits (1 byte per neuron and shot, unless
``keep_bits=False``) and the logits (8 bytes per class and shot). A block's working memory
is bounded by its rows × the values one row computes. Past the budget — the memory the
system reports available, or ``BNN2Q_MEMORY`` (bytes, or with a K/M/G/T suffix) — the
simulation stops with one line before it starts, instead of failing inside an allocation."""

from __future__ import annotations

import os

import numpy as np

from ..errors import InputError

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def budget() -> int | None:
    """Bytes a simulation may use: ``BNN2Q_MEMORY``, else MemAvailable, else None (unknown)."""
    env = os.environ.get("BNN2Q_MEMORY", "").strip().upper().removesuffix("B").removesuffix("I")
    if env:
        unit = env[-1] if env[-1] in _UNITS else ""
        try:
            return int(float(env[: len(env) - len(unit)]) * _UNITS[unit])
        except ValueError:
            raise InputError(f"BNN2Q_MEMORY={os.environ['BNN2Q_MEMORY']!r} is not a size; write e.g. 8G") from None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def size(n: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n / 1e3:.3g} kB"


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
        raise InputError(f"one shot of this network needs about {size(row)} of working memory, more than the "
                         f"{size(limit)} available; run it on a machine with more memory (or raise BNN2Q_MEMORY)")
    what = f"{n:,} samples × {shots:,} shots need about {size(bits + logits + work)}"
    parts = (f"{size(bits)} of bits of {net.n_neurons:,} neurons per shot, " if keep_bits else "") + f"{size(logits)} of logits"
    fix = ("pass keep_bits=False (keeps the logits only), use fewer shots, or simulate the samples in batches"
           if keep_bits else "use fewer shots or simulate the samples in batches")
    raise InputError(f"{what} ({parts}), more than the {size(limit)} available; {fix}")
