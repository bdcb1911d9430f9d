"""Where each element of an ONNX activation tensor lives in the IR's flat vector.

The IR reads every activation as one flat vector in channels-last order. An ONNX tensor
(per sample, batch axis dropped) is tracked as an integer array ``index`` of its own shape:
``index[p]`` is the IR position holding element p. Layout ops (Transpose, Reshape, Flatten,
Squeeze, Unsqueeze) act on ``index`` alone, so any chain of them — tf2onnx's NHWC↔NCHW
transposes, a Reshape standing in for one — resolves without pattern matching."""

from __future__ import annotations

import numpy as np

#: What ``Shape`` reports for the batch axis: a value no real dimension takes, so a Reshape
#: whose first entry is it keeps the batch axis (PyTorch's ``x.view(x.shape[0], -1)``).
BATCH_MARKER = 2_147_483_629


def nchw_view(h: int, w: int, c: int) -> np.ndarray:
    """``index`` of an NCHW tensor [C, H, W] over the channels-last IR vector (h, w, c)."""
    return np.arange(h * w * c, dtype=np.int64).reshape(h, w, c).transpose(2, 0, 1)


def to_ir_order(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Scatter per-element ``values`` (the tensor's shape) into flat IR order."""
    out = np.empty(index.size, dtype=np.float64)
    out[index.reshape(-1)] = np.asarray(values, dtype=np.float64).reshape(-1)
    return out


def compact(values: np.ndarray, ir_shape: tuple) -> np.ndarray:
    """Per-unit values in IR order, as small as broadcasting allows: a scalar, a per-channel
    vector (channels-last), or the full ``ir_shape`` array."""
    full = values.reshape(ir_shape)
    if np.all(full == full.reshape(-1)[0]):
        return full.reshape(-1)[:1]
    if len(ir_shape) > 1:
        per_channel = full.reshape(-1, ir_shape[-1])
        if np.all(per_channel == per_channel[0]):
            return per_channel[0].copy()
    return full


def reshape_target(shape: list[int], in_shape: tuple, batch: int | None, allowzero: bool):
    """Per-sample target of an ONNX Reshape's ``shape`` input, or None if the batch axis
    does not stay first (0 copies a dimension, −1 is inferred)."""
    if not shape:
        return None
    head, rest = int(shape[0]), [int(d) for d in shape[1:]]
    keeps_batch = head in (-1, BATCH_MARKER) or (head == 0 and not allowzero) or (batch is not None and head == batch)
    if not keeps_batch:
        return None
    out = []
    for axis, dim in enumerate(rest, start=1):
        if dim == 0 and not allowzero:
            if axis > len(in_shape):
                return None
            dim = in_shape[axis - 1]
        out.append(dim)
    size = int(np.prod(in_shape))
    if head == -1 and -1 in out:
        return None
    if head == -1:
        # The batch absorbs what the rest leaves: it must be exactly one sample's worth.
        return tuple(out) if int(np.prod(out)) == size else None
    if out.count(-1) > 1:
        return None
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1]))
        if known <= 0 or size % known:
            return None
        out[out.index(-1)] = size // known
    if any(d < 0 for d in out) or int(np.prod(out)) != size:
        return None
    return tuple(out)
