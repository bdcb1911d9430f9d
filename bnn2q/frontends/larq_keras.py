"""Larq/Keras frontend: a trained tf.keras model (Sequential or functional, nested models
included) → the op graph (SPEC §1).

A sign between layers is a Larq quantizer: a layer's ``input_quantizer`` or an ``Activation``
with a sign quantizer. Kernels are what the layer's ``kernel_quantizer`` makes of them: ±1
(``ste_sign`` and friends), ±scale per output channel (``magnitude_aware_sign``, larq-zoo's
``xnor_weight_scale``), or real (``kernel_quantizer=None``, plain Keras ``Dense``/``Conv2D``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import FrontendError
from ..ir import (INPUT, Affine, AvgPool2D, BatchNorm, Conv2D, Dense, Gather, GlobalAvgPool, Graph, MaxPool2D, Node,
                  Reshape)
from .keras_elementwise import MERGE_LAYERS, ElementwiseHandlers
from .keras_tf_ops import TF_OPS, TfOps
from .quantizers import KernelQuantizer, kernel_quantizer
from .tf_env import import_tf

#: Layers that compute nothing at inference.
IDENTITY = ("InputLayer", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise",
            "GaussianDropout", "AlphaDropout", "ActivityRegularization")
SUPPORTED = ("QuantDense, QuantConv2D, QuantDepthwiseConv2D, Dense, Conv2D, DepthwiseConv2D (dilated and "
             "grouped), BatchNormalization, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Add, "
             "Subtract, Multiply, Maximum, Minimum, Concatenate, Flatten, Reshape, ZeroPadding2D, Rescaling, "
             "Dropout, Activation, ReLU, LeakyReLU, PReLU, Softmax, and TensorFlow ops on Keras tensors "
             "(TFOpLambda)")


def read_keras_file(path: Path) -> Graph:
    """Load a ``.h5``/``.keras`` file (checked first: it runs no code, ``keras_file``) and read it."""
    from .keras_file import load_keras_file

    return read_keras_model(load_keras_file(path), source=str(path))


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
        input_shape = model.input_shape
    except (AttributeError, RuntimeError):
        raise FrontendError(f"{source}: the model is not built; call it once or give an Input") from None
    if isinstance(input_shape, list):
        raise FrontendError(f"{source}: the model has {len(input_shape)} inputs; bnn2q reads one")
    input_shape = tuple(input_shape[1:])
    if any(d is None for d in input_shape):
        raise FrontendError(f"{source}: input shape {input_shape} has unknown dimensions; fix it")
    if len(model.outputs) != 1:
        raise FrontendError(f"{source}: the model has {len(model.outputs)} outputs; bnn2q reads one")
    reader = _Reader(source)
    out = reader.model(model, INPUT, keras)
    return Graph(input_shape, tuple(reader.nodes), out, source)


class _Reader(ElementwiseHandlers):
    """Turns layers into nodes; values are named after the layer that writes them."""

    def __init__(self, source: str):
        self.source = source
        self.nodes: list[Node] = []
        self.shapes: dict[str, tuple] = {}
        self.softmax: str | None = None  # the softmax that must end the model
        self.tf_ops = TfOps(self)

    # -- graph walk ------------------------------------------------------------------------

    def model(self, model, input_value: str, keras) -> str:
        """Emit the nodes of ``model`` reading ``input_value``; return its output value."""
        if isinstance(model, keras.Sequential):
            value = input_value
            for layer in model.layers:
                value = self.layer(layer, [value], keras)
            return value
        values = {id(model.inputs[0]): input_value}

        def value_of(tensor) -> str:
            if id(tensor) not in values:
                raise FrontendError(f"{self.source}: a layer reads a tensor bnn2q cannot place (a second "
                                    "model input?)")
            return values[id(tensor)]

        for layer in _topological(model, self.source):
            inputs = [value_of(t) for t in _inbound_tensors(layer, model, self.source)]
            outputs = _output_tensors(layer, model, self.source)
            if type(layer).__name__ == "TFOpLambda":
                out = self.tf_ops.read(layer, _own_nodes(layer, model, self.source)[0], value_of)
            else:
                out = self.layer(layer, inputs, keras)
            out = out if isinstance(out, list) else [out]
            if len(out) != len(outputs):
                raise FrontendError(f"{self.source}: layer {layer.name!r} has {len(outputs)} outputs; bnn2q "
                                    f"reads {len(out)}")
            for tensor, value in zip(outputs, out):
                values[id(tensor)] = value
        return values[id(model.outputs[0])]

    def layer(self, layer, inputs: list[str], keras) -> str:
        kind = type(layer).__name__
        if self.softmax is not None and kind not in IDENTITY:
            raise FrontendError(f"layer {layer.name!r} follows the softmax {self.softmax!r}; "
                                "softmax must be last")
        if isinstance(layer, keras.Model):
            if len(inputs) != 1:
                raise FrontendError(f"nested model {layer.name!r} has {len(inputs)} inputs; bnn2q reads one")
            return self.model(layer, inputs[0], keras)
        if kind in IDENTITY:
            return inputs[0]
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            if kind == "Lambda":
                raise FrontendError(f"layer {layer.name!r} is a Lambda: Python code, which bnn2q does not run "
                                    "to read a model; write it with Keras layers or TensorFlow ops on Keras "
                                    f"tensors ({', '.join(TF_OPS[:6])}, ...)")
            if kind == "TFOpLambda":
                raise FrontendError(f"layer {layer.name!r} is a TensorFlow op in a Sequential model; bnn2q "
                                    "reads TensorFlow ops in functional models")
            raise FrontendError(f"layer {layer.name!r} has unsupported type {kind}; bnn2q reads {SUPPORTED}")
        if kind not in MERGE_LAYERS and len(inputs) != 1:
            raise FrontendError(f"layer {layer.name!r} ({kind}) has {len(inputs)} inputs; it takes one")
        return handler(layer, inputs)

    def emit(self, op, inputs, name: str | None = None) -> str:
        out = name or op.name
        while any(n.output == out for n in self.nodes) or out == INPUT:
            out += "'"
        self.nodes.append(Node(op, tuple(inputs), out))
        return out

    # -- helpers ---------------------------------------------------------------------------

    def _quantize_input(self, layer, value: str) -> str:
        return self.quantizer_op(getattr(layer, "input_quantizer", None), value, f"{layer.name}.input_quantizer",
                                 f"layer {layer.name!r}: input_quantizer")

    def _kernel(self, layer) -> KernelQuantizer:
        latent = np.asarray(layer.depthwise_kernel if hasattr(layer, "depthwise_kernel") else layer.kernel)
        return kernel_quantizer(getattr(layer, "kernel_quantizer", None), latent, f"layer {layer.name!r}")

    def _finish(self, layer, value: str, scale) -> str:
        """Kernel scale, bias, then the layer's own activation."""
        if scale is not None:
            value = self.emit(Affine(f"{layer.name}.kernel_scale", scale, np.zeros_like(scale)), [value])
        if getattr(layer, "use_bias", False) and getattr(layer, "bias", None) is not None:
            bias = np.asarray(layer.bias, dtype=np.float64)
            value = self.emit(Affine(f"{layer.name}.bias", np.ones_like(bias), bias), [value])
        return self._activation(layer, getattr(layer, "activation", None), value)

    # -- layer handlers --------------------------------------------------------------------

    def _QuantDense(self, layer, inputs):
        value = self._quantize_input(layer, inputs[0])
        k = self._kernel(layer)
        value = self.emit(Dense(layer.name, k.values.T), [value])
        return self._finish(layer, value, k.scale)

    _Dense = _QuantDense

    def _QuantConv2D(self, layer, inputs, depthwise: bool = False):
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise FrontendError(f"layer {layer.name!r}: data_format must be channels_last")
        in_shape = tuple(int(d) for d in layer.input_shape[1:])
        value = self._quantize_input(layer, inputs[0])
        k = self._kernel(layer)
        kernel, scale = k.values, k.scale
        groups = int(getattr(layer, "groups", 1))
        if depthwise:  # [kh, kw, c, m] → groups of one input channel, outputs c·m + j
            kh, kw, c, m = kernel.shape
            kernel = kernel.reshape(kh, kw, 1, c * m)
            groups = c
            scale = None if scale is None else np.asarray(scale).reshape(-1)
        dilation = tuple(int(d) for d in layer.dilation_rate)
        span = tuple((k - 1) * d + 1 for k, d in zip(kernel.shape[:2], dilation))
        padding = _padding(layer.padding, in_shape[:2], span, tuple(layer.strides))
        conv = Conv2D(layer.name, kernel, in_shape, tuple(layer.strides), padding, groups, dilation)
        value = self.emit(conv, [value])
        pad_value = float(getattr(layer, "pad_values", 0.0) or 0.0)
        if layer.padding == "same" and pad_value != 0.0:
            # Padding with v adds conv(v on the border, 0 inside): a per-unit constant.
            border = np.full((1,) + tuple(np.add(in_shape[:2], [padding[0] + padding[1], padding[2] + padding[3]]))
                             + (in_shape[2],), pad_value)
            border[:, padding[0]: padding[0] + in_shape[0], padding[2]: padding[2] + in_shape[1]] = 0.0
            from ..host.kernels import Kernels

            unpadded = Conv2D(layer.name, kernel, border.shape[1:], tuple(layer.strides), (0, 0, 0, 0), groups,
                              dilation)
            offset = Kernels().run(unpadded, [border], [border.shape[1:]], unpadded.shape_out)[0]
            value = self.emit(Affine(f"{layer.name}.pad_values", np.ones_like(offset), offset), [value])
        return self._finish(layer, value, scale)

    _Conv2D = _QuantConv2D

    def _QuantDepthwiseConv2D(self, layer, inputs):
        if int(getattr(layer, "depth_multiplier", 1)) < 1:
            raise FrontendError(f"layer {layer.name!r}: depth_multiplier must be >= 1")
        return self._QuantConv2D(layer, inputs, depthwise=True)

    _DepthwiseConv2D = _QuantDepthwiseConv2D

    def _BatchNormalization(self, layer, inputs):
        axis = layer.axis if isinstance(layer.axis, int) else (layer.axis[0] if len(layer.axis) == 1 else None)
        rank = len(layer.input_shape) - 1
        if axis is None or axis not in (-1, rank):
            raise FrontendError(f"batch-norm {layer.name!r} normalizes axis {layer.axis}; bnn2q needs "
                                "the channel (last) axis")
        mean = np.asarray(layer.moving_mean)
        ones, zeros = np.ones_like(mean), np.zeros_like(mean)
        gamma = np.asarray(layer.gamma) if layer.scale else ones
        beta = np.asarray(layer.beta) if layer.center else zeros
        bn = BatchNorm(layer.name, gamma, beta, mean, np.asarray(layer.moving_variance), float(layer.epsilon))
        return self.emit(bn, inputs)

    def _pool(self, layer, inputs, cls, **extra):
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise FrontendError(f"layer {layer.name!r}: data_format must be channels_last")
        in_shape = tuple(int(d) for d in layer.input_shape[1:])
        pool, strides = tuple(layer.pool_size), tuple(layer.strides)
        padding = _padding(layer.padding, in_shape[:2], pool, strides)
        return self.emit(cls(layer.name, in_shape, pool, strides, padding, **extra), inputs)

    def _MaxPooling2D(self, layer, inputs):
        return self._pool(layer, inputs, MaxPool2D)

    def _AveragePooling2D(self, layer, inputs):
        return self._pool(layer, inputs, AvgPool2D)

    def _GlobalAveragePooling2D(self, layer, inputs):
        if getattr(layer, "keepdims", False):
            raise FrontendError(f"layer {layer.name!r}: keepdims=True is not supported")
        return self.emit(GlobalAvgPool(layer.name, tuple(int(d) for d in layer.input_shape[1:])), inputs)

    def _Flatten(self, layer, inputs):
        return self.emit(Reshape(layer.name, tuple(int(d) for d in layer.output_shape[1:])), inputs)

    _Reshape = _Flatten

    def _ZeroPadding2D(self, layer, inputs):
        h, w, c = (int(d) for d in layer.input_shape[1:])
        (top, bottom), (left, right) = layer.padding
        index = np.full((h + top + bottom, w + left + right, c), -1, dtype=np.int64)
        index[top: top + h, left: left + w] = np.arange(h * w * c).reshape(h, w, c)
        return self.emit(Gather(layer.name, index, index.shape), inputs)

def _topological(model, source: str) -> list:
    """The model's layers so that every layer comes after the layers it reads."""
    layers = [layer for layer in model.layers]
    order, seen = [], set()
    by_id = {id(layer): layer for layer in layers}

    def visit(layer, stack=()):
        if id(layer) in seen:
            return
        for node in _own_nodes(layer, model, source):
            for src in _as_list(node.inbound_layers):
                if id(src) in by_id and id(src) not in stack:
                    visit(src, stack + (id(layer),))
        seen.add(id(layer))
        order.append(layer)

    for layer in layers:
        visit(layer)
    return [layer for layer in order if type(layer).__name__ != "InputLayer"]


def _own_nodes(layer, model, source: str) -> list:
    """The inbound nodes of ``layer`` that belong to ``model``'s graph."""
    keys = getattr(model, "_network_nodes", None)
    nodes = list(getattr(layer, "_inbound_nodes", []))
    if keys is not None:
        nodes = [n for i, n in enumerate(nodes) if f"{layer.name}_ib-{i}" in keys]
    if len(nodes) > 1:
        raise FrontendError(f"{source}: layer {layer.name!r} is used {len(nodes)} times; bnn2q reads "
                            "models without shared layers")
    return nodes


def _inbound_tensors(layer, model, source: str) -> list:
    """The tensors a layer reads, keyword arguments included (``tf.add(x, y=…)`` layers)."""
    nodes = _own_nodes(layer, model, source)
    if not nodes:
        return []
    keras_inputs = getattr(nodes[0], "keras_inputs", None)
    return list(keras_inputs) if keras_inputs is not None else _as_list(nodes[0].input_tensors)


def _output_tensors(layer, model, source: str) -> list:
    nodes = _own_nodes(layer, model, source)
    return _as_list(nodes[0].output_tensors)


def _as_list(x) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


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

