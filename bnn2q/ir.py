"""The bnn2q IR: a source-level op graph (frontends emit it) and the neuron-level network the
simulator and the compiler consume (``passes.canonicalize`` builds it).

Notation (SPEC §1): bits s ∈ {0,1}, spins y = 2s − 1. A binary neuron j has the integer
pre-activation z_j = Σ_i W_ji y_i with W ∈ {±1}, and the real one u_j = a_j · z_j + c_j.
Every op keeps ``name``, the source layer or node it came from, for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import numpy as np


def _frozen_array(values, dtype) -> np.ndarray:
    arr = np.array(values, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


# --------------------------------------------------------------------------- source-level ops


@dataclass(frozen=True, eq=False)
class Dense:
    """``z = W · y`` over a flat input; ``weight`` is int8 ±1 of shape [n_out, n_in]."""

    name: str
    weight: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "weight", _frozen_array(self.weight, np.int8))

    @property
    def n_in(self) -> int:
        return self.weight.shape[1]

    @property
    def n_out(self) -> int:
        return self.weight.shape[0]

    @property
    def in_shape(self) -> tuple[int, ...]:
        return (self.n_in,)

    @property
    def out_shape(self) -> tuple[int, ...]:
        return (self.n_out,)

    def matrix(self) -> np.ndarray:
        """The equivalent dense ±1 matrix [n_out, n_in] (flat, channels-last order)."""
        return self.weight


@dataclass(frozen=True, eq=False)
class Conv2D:
    """``z = conv(y, K)`` channels-last; ``kernel`` is int8 ±1 of shape [kh, kw, c_in, c_out].

    ``padding`` is the explicit zero padding (top, bottom, left, right) of the input; padded
    positions contribute 0 to z (Larq's default ``pad_values=0``)."""

    name: str
    kernel: np.ndarray
    in_shape: tuple[int, int, int]
    strides: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)

    def __post_init__(self):
        object.__setattr__(self, "kernel", _frozen_array(self.kernel, np.int8))
        object.__setattr__(self, "in_shape", tuple(int(v) for v in self.in_shape))

    @property
    def out_shape(self) -> tuple[int, int, int]:
        h, w, _ = self.in_shape
        kh, kw, _, cout = self.kernel.shape
        pt, pb, pl, pr = self.padding
        sh, sw = self.strides
        return ((h + pt + pb - kh) // sh + 1, (w + pl + pr - kw) // sw + 1, cout)

    @property
    def n_in(self) -> int:
        return int(np.prod(self.in_shape))

    @property
    def n_out(self) -> int:
        return int(np.prod(self.out_shape))

    def matrix(self) -> np.ndarray:
        """The equivalent dense ±1/0 matrix [n_out, n_in] in flat channels-last order."""
        h, w, cin = self.in_shape
        kh, kw, _, cout = self.kernel.shape
        oh, ow, _ = self.out_shape
        pt, _, pl, _ = self.padding
        sh, sw = self.strides
        mat = np.zeros((oh, ow, cout, h, w, cin), dtype=np.int8)
        for i in range(oh):
            for j in range(ow):
                for di in range(kh):
                    for dj in range(kw):
                        r, c = i * sh + di - pt, j * sw + dj - pl
                        if 0 <= r < h and 0 <= c < w:
                            mat[i, j, :, r, c, :] = self.kernel[di, dj].T
        return mat.reshape(oh * ow * cout, h * w * cin)


@dataclass(frozen=True, eq=False)
class Affine:
    """``u = scale · z + offset`` per output unit (or per channel, broadcast channels-last).

    Kernel scales (``magnitude_aware_sign``) and biases arrive as Affine ops."""

    name: str
    scale: np.ndarray
    offset: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "scale", _frozen_array(self.scale, np.float64))
        object.__setattr__(self, "offset", _frozen_array(self.offset, np.float64))


@dataclass(frozen=True, eq=False)
class BatchNorm:
    """Inference batch-norm ``γ (z − μ) / √(σ² + ε) + β`` per channel (the last axis)."""

    name: str
    gamma: np.ndarray
    beta: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    epsilon: float

    def __post_init__(self):
        for f in ("gamma", "beta", "mean", "variance"):
            object.__setattr__(self, f, _frozen_array(getattr(self, f), np.float64))


@dataclass(frozen=True, eq=False)
class MaxPool2D:
    """Max pooling over windows, channels-last. Before a Sign the pooled unit is the neuron
    (its pre-activation is the max of the pooled sums); after a Sign it is the OR of bits."""

    name: str
    in_shape: tuple[int, int, int]
    pool: tuple[int, int]
    strides: tuple[int, int]
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)

    @property
    def out_shape(self) -> tuple[int, int, int]:
        h, w, c = self.in_shape
        pt, pb, pl, pr = self.padding
        return (
            (h + pt + pb - self.pool[0]) // self.strides[0] + 1,
            (w + pl + pr - self.pool[1]) // self.strides[1] + 1,
            c,
        )

    def groups(self) -> np.ndarray:
        """Indices into the flat input for each flat output unit: int array [n_out, window],
        padded windows repeat a valid index (max is unchanged by a repeat)."""
        h, w, c = self.in_shape
        oh, ow, _ = self.out_shape
        pt, _, pl, _ = self.padding
        out = []
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    idx = [
                        (r * w + col) * c + ch
                        for r in range(i * self.strides[0] - pt, i * self.strides[0] - pt + self.pool[0])
                        for col in range(j * self.strides[1] - pl, j * self.strides[1] - pl + self.pool[1])
                        if 0 <= r < h and 0 <= col < w
                    ]
                    out.append(idx + [idx[0]] * (self.pool[0] * self.pool[1] - len(idx)))
        return np.array(out, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Sign:
    """Binarize: s = [u ≥ 0] (Larq's sign(0) = +1). Marks the end of a hidden layer."""

    name: str


Op = Union[Dense, Conv2D, Affine, BatchNorm, MaxPool2D, Sign]
LINEAR_OPS = (Dense, Conv2D)


@dataclass(frozen=True, eq=False)
class Graph:
    """A frontend's output: the ops of a feed-forward BNN in execution order.

    ``input_shape`` excludes the batch axis; flatten/reshape glue is implicit (every op reads
    the previous output in flat channels-last order)."""

    input_shape: tuple[int, ...]
    ops: tuple
    source: str = "<model>"


# --------------------------------------------------------------------------- neuron-level IR


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer of neurons: u_j = a_j · max_{k ∈ G_j} z_k + c_j, z = linear(y).

    ``pool`` (G, int [n_neurons, window]) is the max-pool before the sign (None: G_j = {j}).
    ``or_pool`` ORs this layer's bits before the next layer reads them. ``hidden`` layers are
    qubits (binary neurons); the last layer is the logits, read out on the host."""

    name: str
    linear: Union[Dense, Conv2D]
    scale: np.ndarray
    offset: np.ndarray
    hidden: bool
    pool: np.ndarray | None = None
    or_pool: np.ndarray | None = None
    _matrix: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "scale", _frozen_array(self.scale, np.float64))
        object.__setattr__(self, "offset", _frozen_array(self.offset, np.float64))

    @property
    def width(self) -> int:
        """Number of neurons (qubits for a hidden layer, classes for the logits)."""
        return len(self.scale)

    @property
    def n_in(self) -> int:
        return self.linear.n_in

    @property
    def n_out_bits(self) -> int:
        """Number of bits the next layer reads (after ``or_pool``)."""
        return self.width if self.or_pool is None else len(self.or_pool)

    def matrix(self) -> np.ndarray:
        """Dense int8 matrix [n_linear_out, n_in] (cached)."""
        if self._matrix is None:
            mat = self.linear.matrix()
            mat.setflags(write=False)
            object.__setattr__(self, "_matrix", mat)
        return self._matrix


@dataclass(frozen=True, eq=False)
class Network:
    """A canonical BNN: hidden binary layers then one logits layer.

    ``real_input``: the first layer reads the (flattened) real input x; otherwise the input
    is first binarized by sign, y = sign(x)."""

    input_shape: tuple[int, ...]
    layers: tuple[Layer, ...]
    real_input: bool = True
    source: str = "<model>"

    @property
    def hidden(self) -> tuple[Layer, ...]:
        return self.layers[:-1]

    @property
    def readout(self) -> Layer:
        return self.layers[-1]

    @property
    def n_inputs(self) -> int:
        return int(np.prod(self.input_shape))

    @property
    def n_classes(self) -> int:
        return self.readout.width

    @property
    def n_neurons(self) -> int:
        return sum(layer.width for layer in self.hidden)
