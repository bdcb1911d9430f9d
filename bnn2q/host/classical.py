"""The host's evaluation of general classical steps (``ir.nonlinear``): clips, elementwise
max/min and products, multi-bit quantizers — what the classical controller computes between
measurements besides affine glue.

``Kernels.run`` dispatches here for every op it has no method of its own for, so the encoder,
the blocks of the simulator (per sample × shot, wherever such a step sits between two
measurements), the reference simulator and the layerwise host all evaluate them with this one
code. Arrays carry leading batch axes followed by the value's channels-last shape; multi-input
ops broadcast each input's shape onto the output's (so a per-sample gate of shape (1, 1, C)
scales every shot's (H, W, C) tensor)."""

from __future__ import annotations

import numpy as np

from ..ir import Clip, Maximum, Minimum, Multiply, Quantize

_REDUCERS = {Multiply: np.multiply, Maximum: np.maximum, Minimum: np.minimum}


def evaluate(op, args: list[np.ndarray], in_shapes, lead: tuple, shape: tuple) -> np.ndarray:
    """``op`` on batched ``args`` (leading axes ``lead`` on the first), output lead + shape."""
    kind = type(op)
    if kind in _REDUCERS:
        return _combine(_REDUCERS[kind], args, in_shapes, shape)
    (x,) = args
    if kind is Clip:
        low, high = (np.broadcast_to(b, shape).astype(x.dtype) for b in (op.low, op.high))
        return np.minimum(np.maximum(x, low), high)
    if kind is Quantize:
        return _quantize(op, x, shape)
    raise NotImplementedError(f"no evaluation of {kind.__name__} {op.name!r}")


def _aligned(arg: np.ndarray, in_shape: tuple, shape: tuple) -> np.ndarray:
    """``arg`` with unit axes inserted after its leading axes so that its value axes line up
    with ``shape``'s last ones (NumPy broadcasting then does the rest)."""
    rank = len(in_shape)
    lead = arg.shape[: arg.ndim - rank]
    return arg.reshape(lead + (1,) * (len(shape) - rank) + tuple(in_shape))


def _combine(ufunc, args, in_shapes, shape) -> np.ndarray:
    dtype = np.result_type(*args)
    out = None
    for arg, in_shape in zip(args, in_shapes):
        arg = _aligned(arg.astype(dtype, copy=False), in_shape, shape)
        out = arg if out is None else ufunc(out, arg)
    return out


_ROUND = {"half_even": np.round, "floor": np.floor, "ceil": np.ceil}


def _quantize(op: Quantize, x: np.ndarray, shape: tuple) -> np.ndarray:
    scale = np.broadcast_to(op.scale, shape).astype(x.dtype)
    zero = np.broadcast_to(op.zero_point, shape).astype(x.dtype)
    q = np.clip(_ROUND[op.rounding](x / scale + zero), op.low, op.high)
    return (q - zero) * scale
