"""What every source-level op shares: a short repr, frozen arrays, shape checks, and the kind of
a kernel (``ops``, ``pooling``, ``wiring`` and ``nonlinear`` hold the ops themselves)."""

from __future__ import annotations

import numpy as np

from ..errors import PassError


def frozen_array(values, dtype) -> np.ndarray:
    arr = np.array(values, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


def size_of(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


class Summary:
    """A short repr: arrays as their shape (and kernel kind), not their values."""

    def __repr__(self) -> str:
        parts = []
        for f in self.__dataclass_fields__:
            v = getattr(self, f)
            if isinstance(v, np.ndarray):
                v = f"<{'×'.join(map(str, v.shape)) or 'scalar'} {v.dtype.name}>"
            else:
                v = repr(v)
            parts.append(v if f == "name" else f"{f}={v}")
        kind = getattr(self, "kernel_kind", None)
        if kind is not None:
            parts.append(f"kernel={kind}")
        return f"{type(self).__name__}({', '.join(parts)})"


def kernel_kind(weights: np.ndarray) -> str:
    """``"binary"`` (every weight ±1), ``"integer"`` (small integers, e.g. ±1 with zeros), or
    ``"real"``. Binary and integer kernels give integer sums of spins: exact table and level
    paths downstream."""
    w = np.asarray(weights)
    if w.size and np.all(np.abs(w) == 1):
        return "binary"
    if w.size and np.all(w == np.round(w)) and np.abs(w).max() <= 127:
        return "integer"
    return "real"


def check_shape(op, got, want) -> None:
    if tuple(got) != tuple(want):
        raise PassError(f"{type(op).__name__} {op.name!r} expects input of shape {tuple(want)}, "
                        f"gets {tuple(got)}; the model's shapes are inconsistent")
