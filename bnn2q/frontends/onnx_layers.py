"""The ONNX chain walk's layer handlers: MatMul/Gemm and Conv (± kernels → Dense/Conv2D plus
the scale, bias and input gain as Affine), MaxPool, BatchNormalization and a final Softmax.

Convolutions and pools read NCHW tensors whose elements must sit over the channels-last IR
vector (``onnx_layout.nchw_view``), which is what any chain of Transposes/Reshapes around an
NCHW Conv leaves when the network itself is channels-last."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import FrontendError
from ..ir import Affine, BatchNorm, Conv2D, Dense, MaxPool2D
from .binary_kernel import split_binary_kernel
from .onnx_layout import compact, nchw_view, to_ir_order
from .onnx_values import Activation
from .onnx_values import attr as _attr


class LayerHandlers:
    """Mixed into ``ChainReader``; uses its state (ops, ir_shape, linear_seen, consts)."""

    def _linear_input(self, node, value: Activation, label: str) -> float:
        """The gain the layer's spins carry (1 for a real first-layer input)."""
        if node.input[0] not in self.values:
            raise FrontendError(
                f"node {label} ({node.op_type}): the activation must be the first input and the "
                "weights a constant"
            )
        if value.spin:
            if value.shift != 0:
                raise FrontendError(
                    f"node {label} ({node.op_type}) reads binarized values shifted by "
                    f"{value.shift:g}; bnn2q needs plain ±1 inputs"
                )
            return value.gain
        if self.linear_seen:
            raise FrontendError(
                f"node {label} ({node.op_type}) reads real-valued activations from "
                f"{self.linear_seen!r}; insert a sign (Sign or BipolarQuant) between the layers"
            )
        return 1.0

    def _layer_name(self, node) -> str:
        """A layer's name: the exporter's layer scope when it has one ('model/dense_1/MatMul'
        from tf2onnx, '/fc1/Gemm' from PyTorch → 'dense_1', 'fc1'), else the node's name."""
        full = node.name or node.output[0]
        parts = [p for p in full.split("/") if p]
        short = parts[-2] if len(parts) >= 2 else full
        taken = {op.name for op in self.ops if isinstance(op, (Dense, Conv2D))}
        return short if short not in taken else full

    def _finish_linear(self, name: str, linear, scale: np.ndarray, bias, gain: float, out_index):
        stage = self._emit(linear)
        if gain != 1.0 or not np.all(scale == 1.0):
            stage = self._emit(Affine(f"{name}.scale", gain * scale, np.zeros_like(scale)))
        if bias is not None:
            stage = self._emit(Affine(f"{name}.bias", np.ones_like(bias), bias))
        self.linear_seen = name
        self.ir_shape = tuple(linear.out_shape)
        return Activation(out_index, stage)

    def _op_MatMul(self, node, value: Activation, label: str) -> Activation:
        gain = self._linear_input(node, value, label)
        weights = self._const(node, 1, "weights")
        return self._dense(node, value, label, weights, gain, scale=1.0, bias=None)

    def _op_Gemm(self, node, value: Activation, label: str) -> Activation:
        gain = self._linear_input(node, value, label)
        if _attr(node, "transA", 0):
            raise FrontendError(f"node {label} (Gemm): transA=1 transposes the batch axis")
        weights = self._const(node, 1, "weights")
        if weights.ndim == 2 and _attr(node, "transB", 0):
            weights = weights.T
        bias = None
        if len(node.input) > 2 and node.input[2]:
            c = self._const(node, 2, "bias").astype(np.float64) * float(_attr(node, "beta", 1.0))
            n_out = weights.shape[-1] if weights.ndim == 2 else 0
            try:
                bias = np.broadcast_to(c, (1, n_out))[0].copy()
            except ValueError:
                raise FrontendError(f"node {label} (Gemm): bias of shape {c.shape} does not fit "
                                    f"{n_out} outputs") from None
        return self._dense(node, value, label, weights, gain, float(_attr(node, "alpha", 1.0)), bias)

    def _dense(self, node, value, label, weights, gain, scale, bias) -> Activation:
        if value.index.ndim != 1:
            raise FrontendError(
                f"node {label} ({node.op_type}) multiplies an activation of shape {value.shape} per "
                "sample; flatten it first (bnn2q reads [batch, features] dense inputs)"
            )
        if weights.ndim != 2 or weights.shape[0] != value.index.size:
            raise FrontendError(
                f"node {label} ({node.op_type}): weights of shape {weights.shape} do not fit "
                f"{value.index.size} inputs"
            )
        if bias is not None and not np.all(np.isfinite(bias)):
            raise FrontendError(f"node {label} ({node.op_type}): the bias holds NaN or inf")
        if not np.isfinite(scale) or scale == 0:
            raise FrontendError(f"node {label} ({node.op_type}): alpha must be finite and non-zero")
        signs, unit_scale = split_binary_kernel(weights, 1, f"node {label} ({node.op_type})")
        matrix = np.zeros((signs.shape[1], value.index.size), dtype=np.int8)
        matrix[:, value.index] = signs.T
        if scale < 0:
            matrix = -matrix
        name = self._layer_name(node)
        out_index = np.arange(signs.shape[1], dtype=np.int64)
        return self._finish_linear(name, Dense(name, matrix), abs(scale) * unit_scale, bias, gain, out_index)

    def _nchw_input(self, node, value: Activation, label: str) -> tuple[int, int, int]:
        """(H, W, C) of an NCHW activation laid over the channels-last IR vector."""
        if value.index.ndim != 3:
            raise FrontendError(
                f"node {label} ({node.op_type}) reads an activation of shape {value.shape} per "
                "sample; bnn2q reads 2-D convolutions and pools over [batch, C, H, W]"
            )
        c, h, w = value.shape
        pristine = not self.linear_seen and self.ir_shape == self.input_shape == value.shape
        if pristine and np.array_equal(value.index, np.arange(value.index.size).reshape(c, h, w)):
            # An NCHW model input: bnn2q reads it channels-last, (H, W, C), like Keras data.
            self.input_shape = self.ir_shape = (h, w, c)
            return h, w, c
        if np.array_equal(value.index, nchw_view(h, w, c)):
            return h, w, c
        raise FrontendError(
            f"node {label} ({node.op_type}) reads its [C, H, W] input in an order that is not a "
            "transposed channels-last tensor; bnn2q cannot map it to channels-last units"
        )

    def _op_Conv(self, node, value: Activation, label: str) -> Activation:
        gain = self._linear_input(node, value, label)
        h, w, c = self._nchw_input(node, value, label)
        weights = self._const(node, 1, "weights")
        if weights.ndim != 4 or weights.shape[1] != c:
            raise FrontendError(f"node {label} (Conv): weights of shape {weights.shape} do not fit "
                                f"{c} input channels (2-D convolutions only)")
        if _attr(node, "group", 1) != 1:
            raise FrontendError(f"node {label} (Conv): grouped/depthwise convolutions are not supported")
        if any(d != 1 for d in _attr(node, "dilations", [1, 1])):
            raise FrontendError(f"node {label} (Conv): dilated convolutions are not supported")
        k_hw = tuple(weights.shape[2:])
        if tuple(_attr(node, "kernel_shape", k_hw)) != k_hw:
            raise FrontendError(f"node {label} (Conv): kernel_shape disagrees with the weights")
        strides, padding = _window(node, label, (h, w), k_hw)
        bias = None
        if len(node.input) > 2 and node.input[2]:
            bias = self._const(node, 2, "bias").astype(np.float64)
            if bias.shape != weights.shape[:1] or not np.all(np.isfinite(bias)):
                raise FrontendError(f"node {label} (Conv): bias must hold {weights.shape[0]} finite values")
        signs, scale = split_binary_kernel(weights, 0, f"node {label} (Conv)")
        name = self._layer_name(node)
        conv = Conv2D(name, signs.transpose(2, 3, 1, 0), (h, w, c), strides, padding)
        oh, ow, oc = conv.out_shape
        if oh < 1 or ow < 1:
            raise FrontendError(f"node {label} (Conv): the kernel does not fit the {h}×{w} input")
        return self._finish_linear(name, conv, scale, bias, gain, nchw_view(oh, ow, oc))

    def _op_MaxPool(self, node, value: Activation, label: str) -> Activation:
        if len([o for o in node.output if o]) > 1:
            raise FrontendError(f"node {label} (MaxPool): the Indices output is not supported")
        if not self.linear_seen:
            raise FrontendError(f"node {label} (MaxPool) pools the model input; pool after a layer")
        h, w, c = self._nchw_input(node, value, label)
        if any(d != 1 for d in _attr(node, "dilations", [1, 1])):
            raise FrontendError(f"node {label} (MaxPool): dilated pooling is not supported")
        pool = tuple(_attr(node, "kernel_shape", []))
        if len(pool) != 2:
            raise FrontendError(f"node {label} (MaxPool): needs a 2-D kernel_shape")
        strides, padding = _window(node, label, (h, w), pool)
        if padding[0] >= pool[0] or padding[1] >= pool[0] or padding[2] >= pool[1] or padding[3] >= pool[1]:
            raise FrontendError(f"node {label} (MaxPool): padding {padding} as wide as the window")
        op = MaxPool2D(label.strip("'"), (h, w, c), pool, strides, padding)
        oh, ow, _ = op.out_shape
        if oh < 1 or ow < 1:
            raise FrontendError(f"node {label} (MaxPool): the window does not fit the {h}×{w} input")
        if _attr(node, "ceil_mode", 0):
            ceil = [-(-(n + a + b - k) // s) + 1 for n, a, b, k, s in
                    ((h, padding[0], padding[1], pool[0], strides[0]), (w, padding[2], padding[3], pool[1], strides[1]))]
            if ceil != [oh, ow]:
                raise FrontendError(f"node {label} (MaxPool): ceil_mode=1 adds partial windows; "
                                    "use explicit padding")
        stage = self._emit(op)
        self.ir_shape = op.out_shape
        return replace(value, index=nchw_view(oh, ow, c), stage=stage)

    def _op_BatchNormalization(self, node, value: Activation, label: str) -> Activation:
        if value.spin or not self.linear_seen:
            raise FrontendError(
                f"node {label} (BatchNormalization) normalizes {'binarized' if value.spin else 'input'} "
                "values; bnn2q reads batch-norm between a layer and its sign"
            )
        if _attr(node, "training_mode", 0) or len([o for o in node.output if o]) > 1:
            raise FrontendError(f"node {label} (BatchNormalization) is in training mode; export for inference")
        channels = value.shape[0]
        stats = []
        for position, what in enumerate(("scale", "bias", "mean", "variance"), start=1):
            arr = self._const(node, position, what).astype(np.float64)
            if arr.shape != (channels,):
                raise FrontendError(f"node {label} (BatchNormalization): {what} has shape "
                                    f"{arr.shape}; it needs one value per channel, ({channels},)")
            per_element = np.broadcast_to(arr.reshape((channels,) + (1,) * (len(value.shape) - 1)), value.shape)
            stats.append(compact(to_ir_order(per_element, value.index), self.ir_shape))
        gamma, beta, mean, var = np.broadcast_arrays(*stats)
        stage = self._emit(BatchNorm(label.strip("'"), gamma, beta, mean, var, float(_attr(node, "epsilon", 1e-5))))
        return replace(value, stage=stage)

    def _op_Softmax(self, node, value: Activation, label: str) -> Activation:
        if value.spin or value.index.ndim != 1:
            raise FrontendError(f"node {label} ({node.op_type}) must act on the flat logits of the last layer")
        if self.graph.output[0].name != node.output[0]:
            raise FrontendError(f"node {label} ({node.op_type}) is not the last node; softmax must be last")
        # A softmax (monotone per sample) does not change the argmax: read the logits before it.
        return replace(value, final=True)

    _op_LogSoftmax = _op_Softmax


def _window(node, label: str, in_hw, k_hw) -> tuple[tuple[int, int], tuple[int, int, int, int]]:
    """(strides, (top, bottom, left, right)) of a Conv/MaxPool from its ONNX attributes."""
    strides = tuple(int(s) for s in _attr(node, "strides", [1, 1]))
    if len(strides) != 2 or min(strides) < 1:
        raise FrontendError(f"node {label} ({node.op_type}): strides {list(strides)} must be two positive numbers")
    auto_pad = _attr(node, "auto_pad", "NOTSET")
    if auto_pad in ("NOTSET", ""):
        pads = [int(p) for p in _attr(node, "pads", [0, 0, 0, 0])]
        if len(pads) != 4 or min(pads) < 0:
            raise FrontendError(f"node {label} ({node.op_type}): pads {pads} must be four numbers >= 0")
        return strides, (pads[0], pads[2], pads[1], pads[3])
    if auto_pad == "VALID":
        return strides, (0, 0, 0, 0)
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        raise FrontendError(f"node {label} ({node.op_type}): unknown auto_pad {auto_pad!r}")
    pads = []
    for size, k, s in zip(in_hw, k_hw, strides):
        total = max((-(-size // s) - 1) * s + k - size, 0)
        small = total // 2
        pads += [small, total - small] if auto_pad == "SAME_UPPER" else [total - small, small]
    return strides, (pads[0], pads[1], pads[2], pads[3])
