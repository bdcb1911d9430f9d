"""Source-level operations: what frontends emit, one frozen dataclass per op, the math in its
docstring.

Every op reads one or more channels-last tensors (no batch axis) and writes one;
``out_shape(*in_shapes)`` checks its inputs and returns the output shape, so a graph can be
validated without running it. Kernels are stored as float64: ±1 kernels (binary networks) and
real ones (the paper's networks, Larq's ``kernel_quantizer=None``) alike — ``kernel_kind``
tells them apart, and ±1 kernels keep their exact integer fast paths downstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Union

import numpy as np

from ..errors import PassError


def _frozen_array(values, dtype) -> np.ndarray:
    arr = np.array(values, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


class _Summary:
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


def _check_shape(op, got, want) -> None:
    if tuple(got) != tuple(want):
        raise PassError(f"{type(op).__name__} {op.name!r} expects input of shape {tuple(want)}, "
                        f"gets {tuple(got)}; the model's shapes are inconsistent")


# --------------------------------------------------------------------------- linear layers


@dataclass(frozen=True, eq=False, repr=False)
class Dense(_Summary):
    """``z = W · v`` over the flattened input (channels-last order); ``weight`` [n_out, n_in]."""

    name: str
    weight: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "weight", _frozen_array(self.weight, np.float64))
        if self.weight.ndim != 2:
            raise PassError(f"dense {self.name!r}: weight must be 2-D, got shape {self.weight.shape}")

    @property
    def n_in(self) -> int:
        return self.weight.shape[1]

    @property
    def n_out(self) -> int:
        return self.weight.shape[0]

    @cached_property
    def kernel_kind(self) -> str:
        return kernel_kind(self.weight)

    def out_shape(self, in_shape) -> tuple:
        if _size(in_shape) != self.n_in:
            raise PassError(f"dense {self.name!r} expects {self.n_in} inputs, gets {_size(in_shape)} "
                            f"(shape {tuple(in_shape)}); the model's shapes are inconsistent")
        return (self.n_out,)

    def matrix(self) -> np.ndarray:
        """The layer as a matrix [n_out, n_in] on the flat input."""
        return self.weight


@dataclass(frozen=True, eq=False, repr=False)
class Conv2D(_Summary):
    """``z = conv(v, K)`` channels-last, ``kernel`` [kh, kw, c_in / groups, c_out].

    ``padding`` is the explicit zero padding (top, bottom, left, right) of the input: padded
    positions contribute 0 to z (Larq's default ``pad_values=0``). With ``groups`` = G the
    input and output channels split into G groups convolved separately (G = c_in: depthwise).
    ``dilation`` (d_h, d_w) spaces the taps: tap (i, j) reads the input d_h · i rows and
    d_w · j columns from the window's corner, so the window spans (k − 1) · d + 1."""

    name: str
    kernel: np.ndarray
    in_shape: tuple[int, int, int]
    strides: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)
    groups: int = 1
    dilation: tuple[int, int] = (1, 1)

    def __post_init__(self):
        object.__setattr__(self, "kernel", _frozen_array(self.kernel, np.float64))
        for f in ("in_shape", "strides", "padding", "dilation"):
            object.__setattr__(self, f, tuple(int(v) for v in getattr(self, f)))
        kh, kw, cin_g, cout = self.kernel.shape
        if self.in_shape[2] != cin_g * self.groups or cout % self.groups:
            raise PassError(f"convolution {self.name!r}: kernel {self.kernel.shape} with {self.groups} "
                            f"group(s) does not fit {self.in_shape[2]} input channels")
        if min(self.dilation) < 1 or min(self.strides) < 1:
            raise PassError(f"convolution {self.name!r}: strides {self.strides} and dilation {self.dilation} "
                            "must be positive")
        oh, ow, _ = self.shape_out
        if oh < 1 or ow < 1:
            raise PassError(f"convolution {self.name!r}: the kernel does not fit the {self.in_shape} input")

    @property
    def span(self) -> tuple[int, int]:
        """The window's extent on the input, (k − 1) · d + 1 per axis."""
        kh, kw = self.kernel.shape[:2]
        return ((kh - 1) * self.dilation[0] + 1, (kw - 1) * self.dilation[1] + 1)

    @property
    def shape_out(self) -> tuple[int, int, int]:
        h, w, _ = self.in_shape
        kh, kw = self.span
        cout = self.kernel.shape[3]
        pt, pb, pl, pr = self.padding
        sh, sw = self.strides
        return ((h + pt + pb - kh) // sh + 1, (w + pl + pr - kw) // sw + 1, cout)

    @property
    def out_size(self) -> int:
        return _size(self.shape_out)

    @cached_property
    def kernel_kind(self) -> str:
        return kernel_kind(self.kernel)

    def out_shape(self, in_shape) -> tuple:
        _check_shape(self, in_shape, self.in_shape)
        return self.shape_out

    def matrix(self) -> np.ndarray:
        """The equivalent matrix [n_out, n_in] in flat channels-last order (zeros where the
        kernel does not reach or reads padding). Dense: for small layers only."""
        h, w, cin = self.in_shape
        kh, kw, cin_g, cout = self.kernel.shape
        oh, ow, _ = self.shape_out
        pt, _, pl, _ = self.padding
        sh, sw = self.strides
        dh, dw = self.dilation
        cout_g = cout // self.groups
        mat = np.zeros((oh, ow, cout, h, w, cin))
        for i in range(oh):
            for j in range(ow):
                for di in range(kh):
                    for dj in range(kw):
                        r, c = i * sh + di * dh - pt, j * sw + dj * dw - pl
                        if not (0 <= r < h and 0 <= c < w):
                            continue
                        for g in range(self.groups):
                            outs = slice(g * cout_g, (g + 1) * cout_g)
                            ins = slice(g * cin_g, (g + 1) * cin_g)
                            mat[i, j, outs, r, c, ins] = self.kernel[di, dj, :, outs].T
        return mat.reshape(oh * ow * cout, h * w * cin)


LINEAR_OPS = (Dense, Conv2D)


# --------------------------------------------------------------------------- elementwise


@dataclass(frozen=True, eq=False, repr=False)
class Affine(_Summary):
    """``v ↦ scale · v + offset``, broadcast channels-last: per channel (one value per last-axis
    entry), per element (the full shape) or one value. Kernel scales and biases arrive as
    Affine ops; folded batch-norms become them."""

    name: str
    scale: np.ndarray
    offset: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "scale", _frozen_array(self.scale, np.float64))
        object.__setattr__(self, "offset", _frozen_array(self.offset, np.float64))

    def out_shape(self, in_shape) -> tuple:
        try:
            np.broadcast_shapes(tuple(in_shape), self.scale.shape, self.offset.shape)
        except ValueError:
            raise PassError(
                f"{self.name!r} has {self.scale.size} scale entries but acts on shape {tuple(in_shape)}; "
                "scales and batch-norms must act on the channel (last) axis"
            ) from None
        return tuple(in_shape)

    def full(self, shape) -> tuple[np.ndarray, np.ndarray]:
        """(scale, offset) broadcast to ``shape`` and flattened."""
        n = _size(shape)
        return (np.broadcast_to(self.scale, shape).reshape(n), np.broadcast_to(self.offset, shape).reshape(n))


@dataclass(frozen=True, eq=False, repr=False)
class BatchNorm(_Summary):
    """Inference batch-norm ``γ (v − μ) / √(σ² + ε) + β`` per channel (the last axis)."""

    name: str
    gamma: np.ndarray
    beta: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    epsilon: float

    def __post_init__(self):
        for f in ("gamma", "beta", "mean", "variance"):
            object.__setattr__(self, f, _frozen_array(getattr(self, f), np.float64))

    def out_shape(self, in_shape) -> tuple:
        try:
            np.broadcast_shapes(tuple(in_shape), self.gamma.shape, self.beta.shape, self.mean.shape,
                                self.variance.shape)
        except ValueError:
            raise PassError(f"batch-norm {self.name!r} with {self.gamma.size} channels does not fit "
                            f"shape {tuple(in_shape)}; it must normalize the channel (last) axis") from None
        return tuple(in_shape)


@dataclass(frozen=True, eq=False, repr=False)
class Sign(_Summary):
    """A layer of neurons: y = +1 if v ≥ 0 else −1 (Larq's sign(0) = +1); with ``strict``,
    y = +1 only if v > 0 (Larq's ``ste_heaviside`` fires on v > 0). Classically this is the
    BNN's sign; bnn2q makes each unit a quantum neuron (SPEC §2)."""

    name: str
    strict: bool = False

    def out_shape(self, in_shape) -> tuple:
        return tuple(in_shape)


# --------------------------------------------------------------------------- pooling


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
class _Pool2D(_Summary):
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
        _check_shape(self, in_shape, self.in_shape)
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
        mat = np.zeros((len(index), _size(self.in_shape)))
        np.add.at(mat, (np.repeat(np.arange(len(index)), index.shape[1]), index.ravel()), weight.ravel())
        return mat


@dataclass(frozen=True, eq=False, repr=False)
class GlobalAvgPool(_Summary):
    """Mean over height and width: (H, W, C) → (C,)."""

    name: str
    in_shape: tuple[int, int, int]

    def __post_init__(self):
        object.__setattr__(self, "in_shape", tuple(int(v) for v in self.in_shape))

    def out_shape(self, in_shape) -> tuple:
        _check_shape(self, in_shape, self.in_shape)
        return (self.in_shape[2],)

    def matrix(self) -> np.ndarray:
        h, w, c = self.in_shape
        return np.tile(np.eye(c), (1, h * w)) / (h * w)


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True, eq=False, repr=False)
class Add(_Summary):
    """Elementwise sum of two or more tensors of one shape (a residual shortcut)."""

    name: str

    def out_shape(self, *in_shapes) -> tuple:
        if len(in_shapes) < 2 or any(tuple(s) != tuple(in_shapes[0]) for s in in_shapes):
            raise PassError(f"add {self.name!r} sums shapes {[tuple(s) for s in in_shapes]}; they must be equal")
        return tuple(in_shapes[0])


@dataclass(frozen=True, eq=False, repr=False)
class Concat(_Summary):
    """Concatenation along the channel (last) axis."""

    name: str

    def out_shape(self, *in_shapes) -> tuple:
        lead = {tuple(s[:-1]) for s in in_shapes}
        if len(in_shapes) < 2 or len(lead) != 1 or any(len(s) == 0 for s in in_shapes):
            raise PassError(f"concatenate {self.name!r} joins shapes {[tuple(s) for s in in_shapes]}; "
                            "they must agree on all but the channel (last) axis")
        return tuple(in_shapes[0][:-1]) + (sum(s[-1] for s in in_shapes),)


@dataclass(frozen=True, eq=False, repr=False)
class Reshape(_Summary):
    """A new shape over the same flat channels-last order (Flatten, Reshape)."""

    name: str
    shape: tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(int(v) for v in self.shape))

    def out_shape(self, in_shape) -> tuple:
        if _size(in_shape) != _size(self.shape):
            raise PassError(f"reshape {self.name!r} turns {tuple(in_shape)} into {self.shape}; sizes differ")
        return self.shape


@dataclass(frozen=True, eq=False, repr=False)
class Gather(_Summary):
    """``out.flat[k] = in.flat[index[k]]``, or 0 where ``index[k]`` is −1: a reordering,
    selection or zero padding of units (layouts an exporter permutes, e.g. NCHW → channels-last;
    ``ZeroPadding2D``)."""

    name: str
    index: np.ndarray
    shape: tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "index", _frozen_array(self.index, np.int64).reshape(-1))
        object.__setattr__(self, "shape", tuple(int(v) for v in self.shape))
        if self.index.size != _size(self.shape):
            raise PassError(f"{self.name!r}: {self.index.size} indices for shape {self.shape}")

    def out_shape(self, in_shape) -> tuple:
        if self.index.size and (self.index.min() < -1 or self.index.max() >= _size(in_shape)):
            raise PassError(f"{self.name!r} reads units outside its input of shape {tuple(in_shape)}")
        return self.shape


Op = Union[Dense, Conv2D, Affine, BatchNorm, Sign, MaxPool2D, AvgPool2D, GlobalAvgPool,
           Add, Concat, Reshape, Gather]

#: Ops that are linear in their inputs (an Affine is affine: linear plus a constant).
LINEAR_GLUE = (Dense, Conv2D, Affine, AvgPool2D, GlobalAvgPool, Add, Concat, Reshape, Gather)

#: Ops whose output is spins when all their inputs are (max of ±1 is ±1, an OR of bits; layouts
#: move them): the simulator keeps such values as bits, and a sign of one is the identity.
SPIN_PRESERVING = (MaxPool2D, Reshape, Gather, Concat)
