"""The memory budget every large allocation is checked against first, with one message.

The budget is ``BNN2Q_MEMORY`` (bytes, or with a K/M/G/T suffix) or else the memory the system
reports available. A path that would allocate by samples × shots (the simulator, the result's
reductions, the backends' bindings and counts) or by sizes a model file declares (an ONNX
constant, a Keras weight) estimates its bytes and calls ``check`` before allocating, so a
request too large stops with one line instead of dying inside an allocation or the OOM killer."""

from __future__ import annotations

import os

from .errors import InputError

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def budget() -> int | None:
    """Bytes a request may use: ``BNN2Q_MEMORY``, else MemAvailable, else None (unknown)."""
    raw = os.environ.get("BNN2Q_MEMORY", "")
    env = raw.strip().upper().removesuffix("B").removesuffix("I")
    if env:
        unit = env[-1] if env[-1] in _UNITS else ""
        try:
            value = float(env[: len(env) - len(unit)])
        except ValueError:
            value = -1.0
        if not 0 < value < float("inf"):
            raise InputError(f"BNN2Q_MEMORY={raw!r} is not a size; write e.g. 8G")
        return int(value * _UNITS[unit])
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def size(n: float) -> str:
    """Bytes for people: 3 significant digits, decimal units."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n / 1e3:.3g} kB"


def limit_text(limit: int) -> str:
    """The budget and where it comes from, for messages."""
    source = f"BNN2Q_MEMORY={os.environ['BNN2Q_MEMORY'].strip()}" if os.environ.get("BNN2Q_MEMORY", "").strip() \
        else "free memory"
    return f"the {size(limit)} available ({source})"


def check(nbytes: float, what: str, fix: str) -> None:
    """Raise InputError, one line, when ``nbytes`` exceed the budget:
    ``{what} need about {size}, more than the {budget} available (...); {fix}``."""
    limit = budget()
    if limit is None or nbytes <= limit:
        return
    raise InputError(f"{what} need about {size(nbytes)}, more than {limit_text(limit)}; {fix}")
