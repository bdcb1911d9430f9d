"""Pooling ops: max and mean over windows, and the global mean, channels-last."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import PassError
from .op_base import Summary, check_shape, size_of


def _pool_shape(op, in_shape) -> tuple:
    h, w, c = in_shape
    pt, pb, pl, pr = op.padding
    return ((h + pt + pb - op.pool[0]) // op.strides[0] + 1,
            (w + pl + pr - op.pool[1]) // op.strides[1] + 1, c)


def window_index(op) -> tuple[np.ndarray, np.ndarray]:
    """(index, valid) [n_out, pool_h · pool_w]: flat input positions of each flat output unit's
    window, and whether each lies inside the input (padding does not)."""
    h, w, c = op.in_shape
    oh, ow, _ = _pool_shape(op, op.in_shape)
    pt, _, pl, _ = op.padding
    rows = (np.arange(oh) * op.strides[0] - pt)[:, None] + np.arange(op.pool[0])[None, :]  # [oh, ph]
    cols = (np.arange(ow) * op.strides[1] - pl)[:, None] + np.arange(op.pool[1])[None, :]  # [ow, pw]
    r = rows[:, None, :, None]  # [oh, 1, ph, 1]
    q = cols[None, :, None, :]  # [1, ow, 1, pw]
    valid = (r >= 0) & (r < h) & (q >= 0) & (q < w)  # [oh, ow, ph, pw]
    pos = (np.clip(r, 0, h - 1) * w + np.clip(q, 0, w - 1))  # [oh, ow, ph, pw]
    index = pos[:, :, None] * c + np.arange(c)[None, None, :, None, None]  # [oh, ow, c, ph, pw]
    valid = np.broadcast_to(valid[:, :, None], index.shape)
    n_out = oh * ow * c
    return index.reshape(n_out, -1), valid.reshape(n_out, -1)


@dataclass(frozen=True, eq=False, repr=False)
class _Pool2D(Summary):
    name: str
    in_shape: tuple[int, int, int]
    pool: tuple[int, int]
    strides: tuple[int, int]
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)

    def __post_init__(self):
        for f in ("in_shape", "pool", "strides", "padding"):
            object.__setattr__(self, f, tuple(int(v) for v in getattr(self, f)))
        oh, ow, _ = _pool_shape(self, self.in_shape)
        if oh < 1 or ow < 1 or min(self.pool) < 1 or min(self.strides) < 1:
            raise PassError(f"pool {self.name!r}: window {self.pool} does not fit the {self.in_shape} input")
        pt, pb, pl, pr = self.padding
        if max(pt, pb) >= self.pool[0] or max(pl, pr) >= self.pool[1]:
            raise PassError(f"pool {self.name!r}: padding {self.padding} as wide as the window {self.pool}")

    @property
    def shape_out(self) -> tuple:
        return _pool_shape(self, self.in_shape)

    def out_shape(self, in_shape) -> tuple:
        check_shape(self, in_shape, self.in_shape)
        return _pool_shape(self, self.in_shape)


@dataclass(frozen=True, eq=False, repr=False)
class MaxPool2D(_Pool2D):
    """Max over each window, channels-last (padding never wins). On spins it is the OR of the
    bits; on real values (sums before a sign, a residual stream) it is a real max."""

    def groups(self) -> np.ndarray:
        """Input indices of each output unit's window, int [n_out, window]; windows cut by the
        padding repeat a valid index (a max is unchanged by a repeat)."""
        index, valid = window_index(self)
        first = index[np.arange(len(index)), np.argmax(valid, axis=1)]
        return np.where(valid, index, first[:, None])


@dataclass(frozen=True, eq=False, repr=False)
class AvgPool2D(_Pool2D):
    """Mean over each window, channels-last: over the valid positions, or over the whole window
    counting padding as 0 (``count_include_pad``, ONNX's attribute). Linear."""

    count_include_pad: bool = False

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(index, weight) [n_out, window]: out = Σ weight · in[index] (0 where padding)."""
        index, valid = window_index(self)
        count = np.full(len(index), float(index.shape[1])) if self.count_include_pad else valid.sum(axis=1)
        return index, valid / count[:, None]

    def matrix(self) -> np.ndarray:
        """The pool as a matrix [n_out, n_in] (flat channels-last)."""
        index, weight = self.weights()
        mat = np.zeros((len(index), size_of(self.in_shape)))
        np.add.at(mat, (np.repeat(np.arange(len(index)), index.shape[1]), index.ravel()), weight.ravel())
        return mat


@dataclass(frozen=True, eq=False, repr=False)
class GlobalAvgPool(Summary):
    """Mean over height and width: (H, W, C) → (C,)."""

    name: str
    in_shape: tuple[int, int, int]

    def __post_init__(self):
        object.__setattr__(self, "in_shape", tuple(int(v) for v in self.in_shape))

    def out_shape(self, in_shape) -> tuple:
        check_shape(self, in_shape, self.in_shape)
        return (self.in_shape[2],)

    def matrix(self) -> np.ndarray:
        h, w, c = self.in_shape
        return np.tile(np.eye(c), (1, h * w)) / (h * w)
