"""TensorFlow ops in a functional Keras model, read as data.

Calling a TensorFlow function on a Keras tensor (``tf.split(x, 4, axis=-1)``, ``x + y``) makes a
``TFOpLambda`` layer: its ``symbol`` names the op by string and its node records the call's
arguments (tensors and constants). bnn2q reads the ops below from those two and nothing else —
no code runs. A plain ``Lambda`` holds Python code, which the frontend cannot read without
running it, and is refused.

Tensors are channels-last without the batch axis; splits, concatenations and padding act on
those axes (the batch axis must be left alone)."""

from __future__ import annotations

import numpy as np

from ..errors import FrontendError
from ..ir import Add, Affine, Clip, Concat, Elementwise, Gather, Maximum, Minimum, Multiply, Reshape

#: Parameter names of each op, in positional order (TensorFlow's signatures).
_UNARY = ("x", "name")
_BINARY = ("x", "y", "name")
SIGNATURES = {
    "split": ("value", "num_or_size_splits", "axis", "num", "name"),
    "concat": ("values", "axis", "name"),
    "compat.v1.pad": ("tensor", "paddings", "mode", "name", "constant_values"),
    "pad": ("tensor", "paddings", "mode", "constant_values", "name"),
    "reshape": ("tensor", "shape", "name"),
    "clip_by_value": ("t", "clip_value_min", "clip_value_max", "name"),
    "__operators__.add": _BINARY, "math.add": _BINARY, "math.subtract": _BINARY,
    "math.multiply": _BINARY, "math.maximum": _BINARY, "math.minimum": _BINARY,
    "nn.relu": ("features", "name"), "nn.relu6": ("features", "name"),
    "math.sigmoid": _UNARY, "nn.sigmoid": _UNARY, "math.tanh": _UNARY, "nn.tanh": _UNARY,
}
#: The TensorFlow op names bnn2q reads from a TFOpLambda layer.
TF_OPS = tuple(SIGNATURES)


class TfOps:
    """Reads TFOpLambda layers for a Keras ``_Reader`` (its ``emit``)."""

    def __init__(self, reader):
        self.reader = reader

    def read(self, layer, node, value_of) -> str | list[str]:
        """The IR value(s) of ``layer`` called as ``node``; ``value_of(tensor)`` is the IR value
        of a Keras tensor it reads."""
        symbol = getattr(layer, "symbol", "")
        if symbol not in SIGNATURES:
            raise FrontendError(f"layer {layer.name!r} is a TensorFlow op ({symbol}) bnn2q does not read; "
                                f"bnn2q reads {', '.join(TF_OPS)}")
        args = _bound(layer, node, SIGNATURES[symbol])
        return getattr(self, "_" + symbol.rsplit(".", 1)[-1].strip("_"))(layer, args, value_of)

    def emit(self, op, inputs) -> str:
        return self.reader.emit(op, inputs)

    # -- layout --------------------------------------------------------------------------

    def _split(self, layer, args, value_of):
        x = args["value"]
        shape = _shape(x)
        _channel_axis(layer, args.get("axis", 0), len(shape))
        n = args["num_or_size_splits"]
        sizes = [shape[-1] // n] * n if isinstance(n, (int, np.integer)) else [int(s) for s in n]
        if sum(sizes) != shape[-1] or min(sizes) < 1:
            raise FrontendError(f"layer {layer.name!r} (split) cuts {shape[-1]} channels into {sizes}")
        index = np.arange(int(np.prod(shape))).reshape(shape)
        edges = np.cumsum([0] + sizes)
        source = value_of(x)
        return [self.emit(Gather(f"{layer.name}:{k}", index[..., a:b], shape[:-1] + (b - a,)), [source])
                for k, (a, b) in enumerate(zip(edges[:-1], edges[1:]))]

    def _concat(self, layer, args, value_of):
        values = list(args["values"])
        _channel_axis(layer, args.get("axis", 0), len(_shape(values[0])))
        return self.emit(Concat(layer.name), [value_of(t) for t in values])

    def _pad(self, layer, args, value_of):
        x = args["tensor"]
        shape = _shape(x)
        pads = np.asarray(args["paddings"], dtype=np.int64)
        mode = str(args.get("mode", "CONSTANT")).upper()
        fill = float(args.get("constant_values", 0) or 0)
        if pads.shape != (len(shape) + 1, 2) or np.any(pads < 0) or np.any(pads[0]) or mode != "CONSTANT":
            raise FrontendError(f"layer {layer.name!r} (pad): paddings {pads.tolist()} in mode {mode}; bnn2q pads "
                                "the per-sample axes with a constant")
        index = np.pad(np.arange(int(np.prod(shape))).reshape(shape), pads[1:], constant_values=-1)
        value = self.emit(Gather(layer.name, index, index.shape), [value_of(x)])
        if fill:
            offset = np.where(index < 0, fill, 0.0)
            value = self.emit(Affine(f"{layer.name}.fill", np.ones(1), offset), [value])
        return value

    def _reshape(self, layer, args, value_of):
        x = args["tensor"]
        target = [int(d) for d in np.asarray(args["shape"]).reshape(-1)]
        size = int(np.prod(_shape(x)))
        rest = target[1:]
        if not target or target[0] not in (-1, None) or rest.count(-1) > 1:
            raise FrontendError(f"layer {layer.name!r} (reshape) to {target} must keep the batch axis first (-1)")
        if -1 in rest:
            rest[rest.index(-1)] = size // max(1, -int(np.prod(rest)))
        return self.emit(Reshape(layer.name, tuple(rest)), [value_of(x)])

    # -- arithmetic ----------------------------------------------------------------------

    def _binary(self, layer, args, value_of, kind: str):
        x, y = args["x"], args["y"]
        if _is_tensor(x) and _is_tensor(y):
            a, b = value_of(x), value_of(y)
            if kind == "add":
                return self.emit(Add(layer.name), [a, b])
            if kind == "subtract":
                neg = self.emit(Affine(f"{layer.name}.negate", np.array(-1.0), np.array(0.0)), [b])
                return self.emit(Add(layer.name), [a, neg])
            cls = {"multiply": Multiply, "maximum": Maximum, "minimum": Minimum}[kind]
            return self.emit(cls(layer.name), [a, b])
        if not _is_tensor(x):  # a constant first: c + t, c · t, max(c, t) commute; c − t does not
            x, y = y, x
            if kind == "subtract":
                neg = self.emit(Affine(f"{layer.name}.negate", np.array(-1.0), np.array(0.0)), [value_of(x)])
                return self._constant(layer, "add", neg, y, _shape(x))
        return self._constant(layer, kind, value_of(x), y, _shape(x))

    def _constant(self, layer, kind, value, c, shape):
        c = _per_sample(layer, c, shape)
        if kind in ("add", "subtract"):
            return self.emit(Affine(layer.name, np.ones(1), c if kind == "add" else -c), [value])
        if kind == "multiply":
            return self.emit(Affine(layer.name, c, np.zeros(1)), [value])
        low, high = (c, np.array(np.inf)) if kind == "maximum" else (np.array(-np.inf), c)
        return self.emit(Clip(layer.name, low, high), [value])

    def _add(self, layer, args, value_of):
        return self._binary(layer, args, value_of, "add")

    def _subtract(self, layer, args, value_of):
        return self._binary(layer, args, value_of, "subtract")

    def _multiply(self, layer, args, value_of):
        return self._binary(layer, args, value_of, "multiply")

    def _maximum(self, layer, args, value_of):
        return self._binary(layer, args, value_of, "maximum")

    def _minimum(self, layer, args, value_of):
        return self._binary(layer, args, value_of, "minimum")

    def _clip_by_value(self, layer, args, value_of):
        t = args["t"]
        low, high = (_per_sample(layer, args[k], _shape(t)) for k in ("clip_value_min", "clip_value_max"))
        return self.emit(Clip(layer.name, low, high), [value_of(t)])

    def _relu(self, layer, args, value_of):
        return self.emit(Elementwise(layer.name, "relu"), [value_of(args["features"])])

    def _relu6(self, layer, args, value_of):
        return self.emit(Clip(layer.name, np.array(0.0), np.array(6.0)), [value_of(args["features"])])

    def _sigmoid(self, layer, args, value_of):
        return self.emit(Elementwise(layer.name, "sigmoid"), [value_of(args["x"])])

    def _tanh(self, layer, args, value_of):
        return self.emit(Elementwise(layer.name, "tanh"), [value_of(args["x"])])


def _bound(layer, node, names) -> dict:
    """The call's arguments by parameter name."""
    args = list(getattr(node, "call_args", ()) or ())
    kwargs = dict(getattr(node, "call_kwargs", {}) or {})
    if len(args) > len(names) or any(k not in names for k in kwargs):
        raise FrontendError(f"layer {layer.name!r} ({layer.symbol}) is called with arguments bnn2q does not read")
    bound = dict(zip(names, args))
    bound.update(kwargs)
    return bound


def _is_tensor(x) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and type(x).__name__ == "KerasTensor"


def _shape(tensor) -> tuple[int, ...]:
    return tuple(int(d) for d in tensor.shape[1:])


def _channel_axis(layer, axis, rank: int) -> None:
    if axis not in (-1, rank):
        raise FrontendError(f"layer {layer.name!r} ({layer.symbol}) acts on axis {axis}; bnn2q splits and joins "
                            "channels (the last axis)")


def _per_sample(layer, c, shape) -> np.ndarray:
    """A constant operand broadcast channels-last over one sample (a leading batch axis of 1
    dropped); it may not grow the tensor."""
    if _is_tensor(c):
        raise FrontendError(f"layer {layer.name!r} ({layer.symbol}): this operand must be a constant")
    arr = np.asarray(c, dtype=np.float64)
    if arr.ndim == len(shape) + 1 and arr.shape[0] == 1:
        arr = arr[0]
    try:
        if np.broadcast_shapes(arr.shape, shape) != tuple(shape):
            raise ValueError
    except ValueError:
        raise FrontendError(f"layer {layer.name!r} ({layer.symbol}): a constant of shape {arr.shape} does not fit "
                            f"the tensor of shape {shape}") from None
    if not np.all(np.isfinite(arr)) and layer.symbol not in ("clip_by_value", "math.maximum", "math.minimum"):
        raise FrontendError(f"layer {layer.name!r} ({layer.symbol}): the constant holds NaN or inf")
    return arr
