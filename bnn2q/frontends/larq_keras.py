"""Larq/Keras frontend: a trained tf.keras model (Sequential or a linear functional chain) →
the op graph (SPEC §1).

The sign between layers is the next layer's ``input_quantizer``; kernels are binarized by the
layer's ``kernel_quantizer`` (``magnitude_aware_sign`` adds a per-output-channel scale)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import FrontendError
from ..ir import Affine, BatchNorm, Conv2D, Dense, Graph, MaxPool2D, Sign
from .tf_env import import_tf

SIGN_QUANTIZERS = ("ste_sign", "approx_sign", "swish_sign")
KERNEL_QUANTIZERS = SIGN_QUANTIZERS + ("magnitude_aware_sign",)
IGNORED = ("InputLayer", "Flatten", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "Reshape")


def read_keras_file(path: Path) -> Graph:
    """Load a ``.h5``/``.keras`` file with Larq's custom objects and read it."""
    tf, keras, _ = import_tf()
    try:
        model = keras.models.load_model(str(path), compile=False)
    except Exception as exc:  # Keras raises many types for corrupt or foreign files
        raise FrontendError(
            f"cannot read Keras model {str(path)!r}: {_first_line(exc)}; is it a complete "
            "Larq/Keras model file?"
        ) from None
    return read_keras_model(model, source=str(path))


def read_keras_model(model, source: str | None = None) -> Graph:
    """Read a live ``tf.keras.Model``."""
    tf, keras, larq = import_tf()
    if not isinstance(model, keras.Model):
        raise FrontendError(
            f"expected a tf.keras.Model, got {type(model).__module__}.{type(model).__name__}; "
            "build the model with tf-keras (TF_USE_LEGACY_KERAS=1)"
        )
    source = source or model.name
    try:
        input_shape = tuple(model.input_shape[1:])
    except (AttributeError, RuntimeError):
        raise FrontendError(f"{source}: the model is not built; call it once or give an Input") from None
    if isinstance(model.input_shape, list):
        raise FrontendError(f"{source}: the model has {len(model.input_shape)} inputs; bnn2q reads one")
    if any(d is None for d in input_shape):
        raise FrontendError(f"{source}: input shape {input_shape} has unknown dimensions; fix it")
    reader = _Reader(larq, source, input_shape)
    layers = _chain(model, keras, source)
    for index, layer in enumerate(layers):
        reader.read(layer, last=index == len(layers) - 1)
    return Graph(input_shape, tuple(reader.ops), source)


def _chain(model, keras, source: str) -> list:
    """The model's layers in order, checking that they form one linear chain."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    if isinstance(model, keras.Sequential):
        return layers
    prev = None
    for layer in layers:
        nodes = getattr(layer, "_inbound_nodes", [])
        if len(nodes) != 1:
            raise FrontendError(
                f"{source}: layer {layer.name!r} is used {len(nodes)} times; bnn2q reads "
                "sequential chains without shared layers"
            )
        inbound = nodes[0].inbound_layers
        inbound = inbound if isinstance(inbound, (list, tuple)) else [inbound]
        if len(inbound) != 1:
            raise FrontendError(
                f"{source}: layer {layer.name!r} has {len(inbound)} inputs; bnn2q reads "
                "sequential chains (no residual or concatenated branches)"
            )
        src = inbound[0]
        if prev is not None and src is not prev:
            raise FrontendError(
                f"{source}: layer {layer.name!r} reads {src.name!r}, not the previous layer "
                f"{prev.name!r}; the graph cannot be linearized"
            )
        prev = layer
    if prev is not None and len(model.outputs) != 1:
        raise FrontendError(f"{source}: the model has {len(model.outputs)} outputs; bnn2q reads one")
    return layers


class _Reader:
    """Turns layers into ops, tracking the shape and whether the input is real-valued."""

    def __init__(self, larq, source: str, input_shape: tuple):
        self.larq = larq
        self.source = source
        self.shape = input_shape
        self.ops: list = []
        self.linear_seen = False
        self.ended = None  # name of the softmax that closed the model

    def read(self, layer, last: bool):
        kind = type(layer).__name__
        if self.ended is not None and kind not in IGNORED:
            raise FrontendError(
                f"layer {layer.name!r} follows the softmax {self.ended!r}; softmax must be last"
            )
        handler = getattr(self, f"_{kind}", None)
        if handler is not None:
            handler(layer, last)
        elif kind in IGNORED:
            if kind == "Reshape" or kind == "Flatten":
                self.shape = tuple(layer.output_shape[1:])
        elif kind in ("Dense", "Conv2D"):
            raise FrontendError(
                f"layer {layer.name!r} is a full-precision {kind}; use larq's Quant{kind} with a "
                "sign kernel_quantizer (e.g. 'ste_sign')"
            )
        elif hasattr(layer, "layers"):
            raise FrontendError(
                f"layer {layer.name!r} is a nested model; flatten it into one Sequential model"
            )
        else:
            raise FrontendError(
                f"layer {layer.name!r} has unsupported type {kind}; bnn2q reads QuantDense, "
                "QuantConv2D, BatchNormalization, MaxPooling2D, Flatten, Reshape, Dropout"
            )

    # -- helpers ---------------------------------------------------------------------------

    def _sign(self, layer, quantizer, what: str):
        name = quantizer_name(quantizer)
        if name is None:
            if self._input_is_binary():
                return  # an Activation('ste_sign') (and maybe a pool) already binarized it
            if self.linear_seen:
                raise FrontendError(
                    f"layer {layer.name!r} has no {what} and so reads real-valued activations; "
                    "hidden layers need a sign-like quantizer (e.g. input_quantizer='ste_sign')"
                )
            return  # the first layer may take real inputs
        if name not in SIGN_QUANTIZERS:
            raise FrontendError(
                f"layer {layer.name!r}: {what} {name!r} is not a sign quantizer; bnn2q supports "
                f"{', '.join(SIGN_QUANTIZERS)} (multi-bit quantizers cannot become one qubit)"
            )
        if not self._input_is_binary():
            self.ops.append(Sign(f"{layer.name}.{what}"))

    def _input_is_binary(self) -> bool:
        """Whether the current activations are bits: a Sign, then only OR-pools."""
        for op in reversed(self.ops):
            if isinstance(op, Sign):
                return True
            if not isinstance(op, MaxPool2D):
                return False
        return False

    def _kernel(self, layer) -> tuple[np.ndarray, np.ndarray]:
        """(±1 kernel, per-output-channel scale) of the layer's quantized kernel."""
        import tensorflow as tf

        name = quantizer_name(layer.kernel_quantizer)
        if name is None:
            raise FrontendError(
                f"layer {layer.name!r} has kernel_quantizer=None (real weights); set a sign "
                "kernel_quantizer such as 'ste_sign'"
            )
        if name not in KERNEL_QUANTIZERS:
            raise FrontendError(
                f"layer {layer.name!r}: kernel_quantizer {name!r} is not a sign quantizer; "
                f"bnn2q supports {', '.join(KERNEL_QUANTIZERS)}"
            )
        latent = tf.constant(np.asarray(layer.kernel.numpy() if hasattr(layer.kernel, "numpy") else layer.kernel))
        kernel = np.asarray(layer.kernel_quantizer(latent), dtype=np.float64)
        flat = kernel.reshape(-1, kernel.shape[-1])
        scale = np.abs(flat).max(axis=0)
        if not np.all(np.isfinite(flat)) or np.any(scale <= 0):
            raise FrontendError(f"layer {layer.name!r}: quantized kernel has zero or non-finite values")
        if not np.allclose(np.abs(flat), scale, rtol=1e-5, atol=0):
            raise FrontendError(
                f"layer {layer.name!r}: the quantized kernel is not ±scale per output channel"
            )
        return np.where(kernel >= 0, 1, -1).astype(np.int8), scale

    def _scale_and_bias(self, layer, scale: np.ndarray):
        if not np.allclose(scale, 1.0, rtol=0, atol=0):
            self.ops.append(Affine(f"{layer.name}.kernel_scale", scale, np.zeros_like(scale)))
        if getattr(layer, "use_bias", False) and layer.bias is not None:
            bias = np.asarray(layer.bias.numpy(), dtype=np.float64)
            self.ops.append(Affine(f"{layer.name}.bias", np.ones_like(bias), bias))

    def _activation(self, layer, last: bool):
        act = getattr(layer, "activation", None)
        name = getattr(act, "__name__", "linear") if act is not None else "linear"
        if name == "linear":
            return
        if name == "softmax" and last:
            self.ended = layer.name
            return
        raise FrontendError(
            f"layer {layer.name!r} has activation {name!r}; bnn2q takes linear layers whose sign "
            "is the next layer's input_quantizer (softmax only on the last layer)"
        )

    # -- layer handlers --------------------------------------------------------------------

    def _QuantDense(self, layer, last):
        self._sign(layer, layer.input_quantizer, "input_quantizer")
        kernel, scale = self._kernel(layer)
        self.ops.append(Dense(layer.name, kernel.T))
        self._scale_and_bias(layer, scale)
        self._activation(layer, last)
        self.linear_seen = True
        self.shape = (kernel.shape[1],)

    def _QuantConv2D(self, layer, last):
        if layer.data_format != "channels_last":
            raise FrontendError(f"layer {layer.name!r}: data_format must be channels_last")
        if tuple(layer.dilation_rate) != (1, 1):
            raise FrontendError(f"layer {layer.name!r}: dilation_rate {layer.dilation_rate} is not supported")
        if layer.padding == "same" and float(getattr(layer, "pad_values", 0.0)) != 0.0:
            raise FrontendError(
                f"layer {layer.name!r}: pad_values={layer.pad_values} is not supported; use 0"
            )
        self._sign(layer, layer.input_quantizer, "input_quantizer")
        kernel, scale = self._kernel(layer)
        in_shape = tuple(int(d) for d in layer.input_shape[1:])
        padding = _padding(layer.padding, in_shape[:2], kernel.shape[:2], tuple(layer.strides))
        self.ops.append(Conv2D(layer.name, kernel, in_shape, tuple(layer.strides), padding))
        self._scale_and_bias(layer, scale)
        self._activation(layer, last)
        self.linear_seen = True
        self.shape = tuple(int(d) for d in layer.output_shape[1:])

    def _MaxPooling2D(self, layer, last):
        if layer.data_format != "channels_last":
            raise FrontendError(f"layer {layer.name!r}: data_format must be channels_last")
        in_shape = tuple(int(d) for d in layer.input_shape[1:])
        pool, strides = tuple(layer.pool_size), tuple(layer.strides)
        padding = _padding(layer.padding, in_shape[:2], pool, strides)
        self.ops.append(MaxPool2D(layer.name, in_shape, pool, strides, padding))
        self.shape = tuple(int(d) for d in layer.output_shape[1:])

    def _BatchNormalization(self, layer, last):
        axis = layer.axis if isinstance(layer.axis, int) else (layer.axis[0] if len(layer.axis) == 1 else None)
        rank = len(layer.input_shape) - 1
        if axis is None or axis not in (-1, rank):
            raise FrontendError(
                f"batch-norm {layer.name!r} normalizes axis {layer.axis}; bnn2q needs the channel "
                "(last) axis"
            )
        mean = layer.moving_mean.numpy()
        ones, zeros = np.ones_like(mean), np.zeros_like(mean)
        gamma = layer.gamma.numpy() if layer.scale else ones
        beta = layer.beta.numpy() if layer.center else zeros
        self.ops.append(
            BatchNorm(layer.name, gamma, beta, mean, layer.moving_variance.numpy(), float(layer.epsilon))
        )

    def _Activation(self, layer, last):
        name = quantizer_name(layer.activation)
        if name in SIGN_QUANTIZERS:
            if not self._input_is_binary():
                self.ops.append(Sign(layer.name))
            return
        self._activation(layer, last)

    def _Softmax(self, layer, last):
        if not last:
            raise FrontendError(f"softmax {layer.name!r} must be the last layer")
        self.ended = layer.name

    def _QuantDepthwiseConv2D(self, layer, last):
        raise FrontendError(f"layer {layer.name!r}: depthwise convolutions are not supported")


def quantizer_name(quantizer) -> str | None:
    """Larq's alias of a quantizer given as a function or an instance (SteSign → 'ste_sign')."""
    if quantizer is None:
        return None
    name = getattr(quantizer, "__name__", None)
    if name is None:
        cls = type(quantizer).__name__
        name = "".join("_" + c.lower() if c.isupper() else c for c in cls).lstrip("_")
    return name


def _padding(mode: str, in_hw, k_hw, strides) -> tuple[int, int, int, int]:
    """Explicit (top, bottom, left, right) zero padding of TensorFlow's 'valid'/'same'."""
    if mode == "valid":
        return (0, 0, 0, 0)
    pads = []
    for size, k, s in zip(in_hw, k_hw, strides):
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        pads += [total // 2, total - total // 2]
    return (pads[0], pads[1], pads[2], pads[3])


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 200 else line[:197] + "..."
