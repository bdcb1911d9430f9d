"""Source-level operations: what frontends emit, one frozen dataclass per op, the math in its
docstring. This module holds the linear layers and the sign, and gathers the pooling
(``pooling``) and wiring (``wiring``: sums, concatenation, layouts) ops beside them.

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
from .op_base import Summary, check_shape, frozen_array, kernel_kind, size_of
from .pooling import AvgPool2D, GlobalAvgPool, MaxPool2D, window_index
from .wiring import Add, Concat, Gather, Reshape

__all__ = ["Dense", "Conv2D", "Affine", "BatchNorm", "Sign", "MaxPool2D", "AvgPool2D", "GlobalAvgPool", "Add",
           "Concat", "Reshape", "Gather", "Op", "LINEAR_OPS", "LINEAR_GLUE", "SPIN_PRESERVING", "kernel_kind",
           "window_index"]


# --------------------------------------------------------------------------- linear layers


@dataclass(frozen=True, eq=False, repr=False)
class Dense(Summary):
    """``z = W · v`` over the flattened input (channels-last order); ``weight`` [n_out, n_in]."""

    name: str
    weight: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "weight", frozen_array(self.weight, np.float64))
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
        if size_of(in_shape) != self.n_in:
            raise PassError(f"dense {self.name!r} expects {self.n_in} inputs, gets {size_of(in_shape)} "
                            f"(shape {tuple(in_shape)}); the model's shapes are inconsistent")
        return (self.n_out,)

    def matrix(self) -> np.ndarray:
        """The layer as a matrix [n_out, n_in] on the flat input."""
        return self.weight


@dataclass(frozen=True, eq=False, repr=False)
class Conv2D(Summary):
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
        object.__setattr__(self, "kernel", frozen_array(self.kernel, np.float64))
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
        return size_of(self.shape_out)

    @cached_property
    def kernel_kind(self) -> str:
        return kernel_kind(self.kernel)

    def out_shape(self, in_shape) -> tuple:
        check_shape(self, in_shape, self.in_shape)
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
class Affine(Summary):
    """``v ↦ scale · v + offset``, broadcast channels-last: per channel (one value per last-axis
    entry), per element (the full shape) or one value. Kernel scales and biases arrive as
    Affine ops; folded batch-norms become them."""

    name: str
    scale: np.ndarray
    offset: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "scale", frozen_array(self.scale, np.float64))
        object.__setattr__(self, "offset", frozen_array(self.offset, np.float64))

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
        n = size_of(shape)
        return (np.broadcast_to(self.scale, shape).reshape(n), np.broadcast_to(self.offset, shape).reshape(n))


@dataclass(frozen=True, eq=False, repr=False)
class BatchNorm(Summary):
    """Inference batch-norm ``γ (v − μ) / √(σ² + ε) + β`` per channel (the last axis)."""

    name: str
    gamma: np.ndarray
    beta: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    epsilon: float

    def __post_init__(self):
        for f in ("gamma", "beta", "mean", "variance"):
            object.__setattr__(self, f, frozen_array(getattr(self, f), np.float64))

    def out_shape(self, in_shape) -> tuple:
        try:
            np.broadcast_shapes(tuple(in_shape), self.gamma.shape, self.beta.shape, self.mean.shape,
                                self.variance.shape)
        except ValueError:
            raise PassError(f"batch-norm {self.name!r} with {self.gamma.size} channels does not fit "
                            f"shape {tuple(in_shape)}; it must normalize the channel (last) axis") from None
        return tuple(in_shape)


@dataclass(frozen=True, eq=False, repr=False)
class Sign(Summary):
    """A layer of neurons: y = +1 if v ≥ 0 else −1 (Larq's sign(0) = +1); with ``strict``,
    y = +1 only if v > 0 (Larq's ``ste_heaviside`` fires on v > 0). Classically this is the
    BNN's sign; bnn2q makes each unit a quantum neuron (SPEC §2)."""

    name: str
    strict: bool = False

    def out_shape(self, in_shape) -> tuple:
        return tuple(in_shape)


Op = Union[Dense, Conv2D, Affine, BatchNorm, Sign, MaxPool2D, AvgPool2D, GlobalAvgPool,
           Add, Concat, Reshape, Gather]

#: Ops that are linear in their inputs (an Affine is affine: linear plus a constant).
LINEAR_GLUE = (Dense, Conv2D, Affine, AvgPool2D, GlobalAvgPool, Add, Concat, Reshape, Gather)

#: Ops whose output is spins when all their inputs are (max of ±1 is ±1, an OR of bits; layouts
#: move them): the simulator keeps such values as bits, and a sign of one is the identity.
SPIN_PRESERVING = (MaxPool2D, Reshape, Gather, Concat)
