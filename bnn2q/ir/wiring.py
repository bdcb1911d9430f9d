"""Wiring ops: how values combine and move between layers — sums (residual shortcuts),
channel concatenation, reshapes and gathers (reorderings, selections, zero padding)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import PassError
from .op_base import Summary, frozen_array, size_of


@dataclass(frozen=True, eq=False, repr=False)
class Add(Summary):
    """Elementwise sum of two or more tensors of one shape (a residual shortcut)."""

    name: str

    def out_shape(self, *in_shapes) -> tuple:
        if len(in_shapes) < 2 or any(tuple(s) != tuple(in_shapes[0]) for s in in_shapes):
            raise PassError(f"add {self.name!r} sums shapes {[tuple(s) for s in in_shapes]}; they must be equal")
        return tuple(in_shapes[0])


@dataclass(frozen=True, eq=False, repr=False)
class Concat(Summary):
    """Concatenation along the channel (last) axis."""

    name: str

    def out_shape(self, *in_shapes) -> tuple:
        lead = {tuple(s[:-1]) for s in in_shapes}
        if len(in_shapes) < 2 or len(lead) != 1 or any(len(s) == 0 for s in in_shapes):
            raise PassError(f"concatenate {self.name!r} joins shapes {[tuple(s) for s in in_shapes]}; "
                            "they must agree on all but the channel (last) axis")
        return tuple(in_shapes[0][:-1]) + (sum(s[-1] for s in in_shapes),)


@dataclass(frozen=True, eq=False, repr=False)
class Reshape(Summary):
    """A new shape over the same flat channels-last order (Flatten, Reshape)."""

    name: str
    shape: tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(int(v) for v in self.shape))

    def out_shape(self, in_shape) -> tuple:
        if size_of(in_shape) != size_of(self.shape):
            raise PassError(f"reshape {self.name!r} turns {tuple(in_shape)} into {self.shape}; sizes differ")
        return self.shape


@dataclass(frozen=True, eq=False, repr=False)
class Gather(Summary):
    """``out.flat[k] = in.flat[index[k]]``, or 0 where ``index[k]`` is −1: a reordering,
    selection or zero padding of units (layouts an exporter permutes, e.g. NCHW → channels-last;
    ``ZeroPadding2D``)."""

    name: str
    index: np.ndarray
    shape: tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "index", frozen_array(self.index, np.int64).reshape(-1))
        object.__setattr__(self, "shape", tuple(int(v) for v in self.shape))
        if self.index.size != size_of(self.shape):
            raise PassError(f"{self.name!r}: {self.index.size} indices for shape {self.shape}")

    def out_shape(self, in_shape) -> tuple:
        if self.index.size and (self.index.min() < -1 or self.index.max() >= size_of(in_shape)):
            raise PassError(f"{self.name!r} reads units outside its input of shape {tuple(in_shape)}")
        return self.shape
