"""Real nonlinear operations: what a classical controller computes between measurements (SPEC §1).

Only a sign is a quantum neuron. Everything else a source graph computes from earlier bits and
the input — ReLU and its relatives, clips, elementwise max/min, products with computed scales
(a squeeze-and-excite gate), multi-bit quantizers — is classical work the host does: once per
sample before the first sign (the encoder), once per shot between signs (the core, where it
decides the next neurons' angles), or after the last sign (the head). Same conventions as
``ops``: channels-last tensors without the batch axis, the math in each docstring.

Multi-input ops broadcast like NumPy over channels-last shapes: (H, W, C) with (1, 1, C) or (C,)
scales each channel."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import PassError
from .op_base import Summary, frozen_array

#: Real nonlinearities of one input, by name.
ELEMENTWISE = ("relu", "prelu", "hard_tanh", "tanh", "sigmoid")


@dataclass(frozen=True, eq=False, repr=False)
class Elementwise(Summary):
    """A real nonlinearity: ``relu`` max(v, 0); ``prelu`` v if v ≥ 0 else α v (α per channel or
    one value; leaky ReLU); ``hard_tanh`` clip(v, −α, α); ``tanh``; ``sigmoid``."""

    name: str
    fn: str
    alpha: np.ndarray = field(default_factory=lambda: np.array(1.0))

    def __post_init__(self):
        if self.fn not in ELEMENTWISE:
            raise PassError(f"{self.name!r}: unknown elementwise function {self.fn!r}")
        object.__setattr__(self, "alpha", frozen_array(self.alpha, np.float64))

    def out_shape(self, in_shape) -> tuple:
        try:
            np.broadcast_shapes(tuple(in_shape), self.alpha.shape)
        except ValueError:
            raise PassError(f"{self.name!r}: {self.alpha.size} slopes do not fit shape {tuple(in_shape)}; "
                            "they must act on the channel (last) axis") from None
        return tuple(in_shape)


@dataclass(frozen=True, eq=False, repr=False)
class Clip(Summary):
    """``min(max(v, low), high)`` with bounds broadcast channels-last (±inf: no bound). ReLU6,
    a hard tanh, ``Max(v, c)`` and ``Min(v, c)`` with a constant c are clips."""

    name: str
    low: np.ndarray
    high: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "low", frozen_array(self.low, np.float64))
        object.__setattr__(self, "high", frozen_array(self.high, np.float64))
        if np.any(np.isnan(self.low)) or np.any(np.isnan(self.high)) or np.any(self.low > self.high):
            raise PassError(f"clip {self.name!r}: bounds must be numbers with low <= high")

    def out_shape(self, in_shape) -> tuple:
        try:
            np.broadcast_shapes(tuple(in_shape), self.low.shape, self.high.shape)
        except ValueError:
            raise PassError(f"clip {self.name!r}: bounds of shapes {self.low.shape}, {self.high.shape} do not "
                            f"fit shape {tuple(in_shape)}") from None
        return tuple(in_shape)


def broadcast_shape(op, in_shapes) -> tuple:
    """The NumPy broadcast of channels-last shapes, which must be one of them (a computed scale
    may not grow the tensor it scales)."""
    shapes = [tuple(s) for s in in_shapes]
    try:
        out = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        out = None
    if len(shapes) < 2 or out not in shapes:
        raise PassError(f"{type(op).__name__.lower()} {op.name!r} combines shapes {shapes}; they must be equal "
                        "or broadcast channels-last onto one of them")
    return out


@dataclass(frozen=True, eq=False, repr=False)
class Multiply(Summary):
    """Elementwise product of two or more tensors (broadcast): a data-dependent scale, e.g.
    Real-to-Binary Net's gate sigmoid(dense(pool(v))) on a binary convolution's output."""

    name: str

    def out_shape(self, *in_shapes) -> tuple:
        return broadcast_shape(self, in_shapes)


@dataclass(frozen=True, eq=False, repr=False)
class Maximum(Summary):
    """Elementwise max of two or more tensors (broadcast)."""

    name: str

    def out_shape(self, *in_shapes) -> tuple:
        return broadcast_shape(self, in_shapes)


@dataclass(frozen=True, eq=False, repr=False)
class Minimum(Summary):
    """Elementwise min of two or more tensors (broadcast)."""

    name: str

    def out_shape(self, *in_shapes) -> tuple:
        return broadcast_shape(self, in_shapes)


ROUNDING = ("half_even", "floor", "ceil")


@dataclass(frozen=True, eq=False, repr=False)
class Quantize(Summary):
    """A uniform multi-bit quantizer (QONNX ``Quant``, Larq's DoReFa, ONNX ``Round``):

        q = clip(R(v / scale + zero_point), low, high),   out = scale · (q − zero_point)

    with R the ``rounding`` (``half_even``: ties to even, as ``torch.round``, ``tf.round`` and
    ONNX ``Round``), integer levels low..high (±inf: unbounded) and scale/zero point broadcast
    channels-last. The host computes it; it is never a neuron (a neuron holds one bit), so it
    may encode the input before the first sign (Brevitas CNV's 8-bit input) but not sit
    between two signs."""

    name: str
    scale: np.ndarray
    zero_point: np.ndarray
    low: float
    high: float
    rounding: str = "half_even"

    def __post_init__(self):
        object.__setattr__(self, "scale", frozen_array(self.scale, np.float64))
        object.__setattr__(self, "zero_point", frozen_array(self.zero_point, np.float64))
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))
        if self.rounding not in ROUNDING:
            raise PassError(f"quantizer {self.name!r}: rounding {self.rounding!r} is not one of {', '.join(ROUNDING)}")
        if not (np.all(np.isfinite(self.scale)) and np.all(self.scale > 0)):
            raise PassError(f"quantizer {self.name!r}: its scale must be positive and finite")
        if not np.all(np.isfinite(self.zero_point)) or not self.low <= self.high:
            raise PassError(f"quantizer {self.name!r}: zero point or range [{self.low:g}, {self.high:g}] is invalid")

    def out_shape(self, in_shape) -> tuple:
        try:
            np.broadcast_shapes(tuple(in_shape), self.scale.shape, self.zero_point.shape)
        except ValueError:
            raise PassError(f"quantizer {self.name!r}: {self.scale.size} scales do not fit shape "
                            f"{tuple(in_shape)}; they must act on the channel (last) axis") from None
        return tuple(in_shape)

    @property
    def bits(self) -> int | None:
        """Bits of its integer levels, None when unbounded."""
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            return None
        return max(1, math.ceil(math.log2(self.high - self.low + 1)))

    def describe(self) -> str:
        """What it is, for messages: 'a 2-bit quantizer (4 levels)' or 'a rounding to integers'."""
        if self.bits is None:
            return "a rounding to a grid of unbounded levels"
        return f"a {self.bits}-bit quantizer ({int(self.high - self.low + 1)} levels)"


#: Ops that are neither linear nor a sign: the host computes them between measurements.
NONLINEAR_OPS = (Elementwise, Clip, Multiply, Maximum, Minimum, Quantize)
