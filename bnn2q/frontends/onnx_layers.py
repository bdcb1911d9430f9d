"""The ONNX reader's layer handlers: MatMul/Gemm and Conv (kernels split into ±1 and a scale
when they are binary, kept real otherwise), pooling, BatchNormalization, Pad and Softmax.

A layer that reads spins carrying gain g and shift h (a BipolarQuant scale, tf2onnx's
``Sign(x) + c`` before its outer Sign) computes W (g y + h) = g (W y) + h (W 1): the linear op
reads the spins themselves, g joins the output scale and h (W 1) the offset."""

from __future__ import annotations

import math

import numpy as np

from .. import budget
from ..errors import FrontendError
from ..ir import Affine, AvgPool2D, BatchNorm, Conv2D, Dense, Gather, GlobalAvgPool, MaxPool2D
from .binary_kernel import split_kernel
from .onnx_layout import compact, nchw_view, to_ir_order
from .onnx_sizes import FIX
from .onnx_values import Tensor
from .onnx_values import attr as _attr


class LayerHandlers:
    """Mixed into ``OnnxReader``; uses its state (nodes, shapes, consts) and helpers."""

    def _layer_name(self, node) -> str:
        """A layer's name: the exporter's layer scope when it has one ('model/dense_1/MatMul'
        from tf2onnx, '/fc1/Gemm' from PyTorch → 'dense_1', 'fc1'), else the node's name."""
        full = node.name or node.output[0]
        parts = [p for p in full.split("/") if p]
        short = parts[-2] if len(parts) >= 2 else full
        name = short if short not in self.layer_names else full
        self.layer_names.add(name)
        return name

    def _linear_input(self, node, live, label: str) -> Tensor:
        if node.input[0] not in self.values or len(live) != 1:
            raise FrontendError(f"node {label} ({node.op_type}): the activation must be the first input "
                                "and the weights a constant")
        return live[0]

    def _finish_linear(self, name: str, linear, source: str, t: Tensor, scale, bias, ones_response) -> str:
        """Emit the linear op on ``source`` (t's spins or values), then its scale (kernel scale
        × spin gain) and offset (bias + spin shift × W·1)."""
        value = self.emit(linear, [source])
        gain = t.gain if t.spin else 1.0
        scale = gain * np.asarray(scale, dtype=np.float64)
        if not np.all(scale == 1.0):
            value = self.emit(Affine(f"{name}.scale", scale, np.zeros_like(scale)), [value])
        offset = np.zeros(self.shapes[value]) if bias is None else np.broadcast_to(bias, self.shapes[value])
        if t.spin and t.shift != 0.0:
            offset = offset + t.shift * ones_response
        if np.any(offset != 0):
            shape = self.shapes[value]
            value = self.emit(Affine(f"{name}.bias", np.ones(1), compact(np.asarray(offset, dtype=np.float64)
                                                                        .reshape(-1), shape)), [value])
        return value

    # -- dense -----------------------------------------------------------------------------

    def _op_MatMul(self, node, live, label: str) -> Tensor:
        t = self._linear_input(node, live, label)
        return self._dense(node, t, label, self.const(node, 1, "weights"), 1.0, None)

    def _op_Gemm(self, node, live, label: str) -> Tensor:
        t = self._linear_input(node, live, label)
        if _attr(node, "transA", 0):
            raise FrontendError(f"node {label} (Gemm): transA=1 transposes the batch axis")
        weights = self.const(node, 1, "weights")
        if weights.ndim == 2 and _attr(node, "transB", 0):
            weights = weights.T
        bias = None
        if len(node.input) > 2 and node.input[2]:
            c = self.const(node, 2, "bias").astype(np.float64) * float(_attr(node, "beta", 1.0))
            n_out = weights.shape[-1] if weights.ndim == 2 else 0
            try:
                bias = np.broadcast_to(c, (1, n_out))[0].copy()
            except ValueError:
                raise FrontendError(f"node {label} (Gemm): bias of shape {c.shape} does not fit "
                                    f"{n_out} outputs") from None
        return self._dense(node, t, label, weights, float(_attr(node, "alpha", 1.0)), bias)

    def _dense(self, node, t: Tensor, label, weights, alpha, bias) -> Tensor:
        if t.index.ndim != 1:
            raise FrontendError(f"node {label} ({node.op_type}) multiplies an activation of shape {t.shape} "
                                "per sample; flatten it first (bnn2q reads [batch, features] dense inputs)")
        weights = np.asarray(weights, dtype=np.float64)
        if weights.ndim != 2 or weights.shape[0] != t.index.size:
            raise FrontendError(f"node {label} ({node.op_type}): weights of shape {weights.shape} do not "
                                f"fit {t.index.size} inputs")
        if bias is not None and not np.all(np.isfinite(bias)):
            raise FrontendError(f"node {label} ({node.op_type}): the bias holds NaN or inf")
        if not np.isfinite(alpha) or alpha == 0:
            raise FrontendError(f"node {label} ({node.op_type}): alpha must be finite and non-zero")
        kernel, scale = split_kernel(weights * alpha, 1, f"node {label} ({node.op_type})")
        source = self.flat(t, label, any_shape=True)
        name = self._layer_name(node)
        ones = (weights * alpha).sum(axis=0)
        value = self._finish_linear(name, Dense(name, kernel.T), source, t, scale, bias, ones)
        return Tensor(value, np.arange(weights.shape[1]))

    # -- convolution -----------------------------------------------------------------------

    def _nchw(self, node, t: Tensor, label: str) -> tuple[int, int, int]:
        if t.index.ndim != 3:
            raise FrontendError(f"node {label} ({node.op_type}) reads an activation of shape {t.shape} per "
                                "sample; bnn2q reads 2-D convolutions and pools over [batch, C, H, W]")
        c, h, w = t.shape
        return h, w, c

    def _op_Conv(self, node, live, label: str) -> Tensor:
        t = self._linear_input(node, live, label)
        h, w, c = self._nchw(node, t, label)
        weights = np.asarray(self.const(node, 1, "weights"), dtype=np.float64)
        groups = int(_attr(node, "group", 1))
        if weights.ndim != 4 or weights.shape[1] * groups != c or weights.shape[0] % groups:
            raise FrontendError(f"node {label} (Conv): weights of shape {weights.shape} in {groups} group(s) "
                                f"do not fit {c} input channels (2-D convolutions only)")
        dilation = tuple(int(d) for d in _attr(node, "dilations", [1, 1]))
        k_hw = tuple(weights.shape[2:])
        if tuple(_attr(node, "kernel_shape", k_hw)) != k_hw:
            raise FrontendError(f"node {label} (Conv): kernel_shape disagrees with the weights")
        if len(dilation) != 2 or min(dilation) < 1:
            raise FrontendError(f"node {label} (Conv): dilations {list(dilation)} must be two positive numbers")
        span = tuple((k - 1) * d + 1 for k, d in zip(k_hw, dilation))
        strides, padding = _window(node, label, (h, w), span)
        bias = None
        if len(node.input) > 2 and node.input[2]:
            bias = self.const(node, 2, "bias").astype(np.float64)
            if bias.shape != weights.shape[:1] or not np.all(np.isfinite(bias)):
                raise FrontendError(f"node {label} (Conv): bias must hold {weights.shape[0]} finite values")
        signs, scale = split_kernel(weights, 0, f"node {label} (Conv)")
        name = self._layer_name(node)
        conv = Conv2D(name, signs.transpose(2, 3, 1, 0), (h, w, c), strides, padding, groups, dilation)
        oh, ow, oc = conv.shape_out
        source = self.channels_last(t, label)
        ones = 0.0
        if t.spin and t.shift != 0.0:
            from ..host.kernels import Kernels

            real = Conv2D(name, weights.transpose(2, 3, 1, 0), (h, w, c), strides, padding, groups, dilation)
            ones = Kernels().run(real, [np.ones((1, h, w, c))], [(h, w, c)], real.shape_out)[0]
        value = self._finish_linear(name, conv, source, t, scale, bias, ones)
        return Tensor(value, nchw_view(oh, ow, oc))

    # -- pooling and normalization ---------------------------------------------------------

    def _pool(self, node, live, label, cls, **extra) -> Tensor:
        t = live[0]
        if len([o for o in node.output if o]) > 1:
            raise FrontendError(f"node {label} ({node.op_type}): the Indices output is not supported")
        h, w, c = self._nchw(node, t, label)
        if any(d != 1 for d in _attr(node, "dilations", [1, 1])):
            raise FrontendError(f"node {label} ({node.op_type}): dilated pooling is not supported")
        pool = tuple(_attr(node, "kernel_shape", []))
        if len(pool) != 2:
            raise FrontendError(f"node {label} ({node.op_type}): needs a 2-D kernel_shape")
        strides, padding = _window(node, label, (h, w), pool)
        op = cls(label.strip("'"), (h, w, c), pool, strides, padding, **extra)
        oh, ow, _ = op.shape_out
        if _attr(node, "ceil_mode", 0):
            ceil = [-(-(n + a + b - k) // s) + 1 for n, a, b, k, s in
                    ((h, padding[0], padding[1], pool[0], strides[0]), (w, padding[2], padding[3], pool[1], strides[1]))]
            if ceil != [oh, ow]:
                raise FrontendError(f"node {label} ({node.op_type}): ceil_mode=1 adds partial windows; "
                                    "use explicit padding")
        if cls is MaxPool2D and t.spin and t.gain > 0:
            # max(g y + h) = g max(y) + h: pooled spins stay spins.
            value = self.emit(op, [self.channels_last(t, label)])
            return Tensor(value, nchw_view(oh, ow, c), spin=True, gain=t.gain, shift=t.shift)
        t = self.real(t, label)
        value = self.emit(op, [self.channels_last(t, label)])
        return Tensor(value, nchw_view(oh, ow, c))

    def _op_MaxPool(self, node, live, label: str) -> Tensor:
        return self._pool(node, live, label, MaxPool2D)

    def _op_AveragePool(self, node, live, label: str) -> Tensor:
        return self._pool(node, live, label, AvgPool2D,
                          count_include_pad=bool(_attr(node, "count_include_pad", 0)))

    def _op_GlobalAveragePool(self, node, live, label: str) -> Tensor:
        t = self.real(live[0], label)
        h, w, c = self._nchw(node, t, label)
        value = self.emit(GlobalAvgPool(label.strip("'"), (h, w, c)), [self.channels_last(t, label)])
        return Tensor(value, np.arange(c).reshape(c, 1, 1))

    def _op_BatchNormalization(self, node, live, label: str) -> Tensor:
        t = self.real(live[0], label)
        if _attr(node, "training_mode", 0) or len([o for o in node.output if o]) > 1:
            raise FrontendError(f"node {label} (BatchNormalization) is in training mode; export for inference")
        if not self._covers(t):
            t = Tensor(self.flat(t, label), np.arange(t.index.size).reshape(t.shape))
        channels = t.shape[0]
        shape = self.shapes[t.value]
        stats = []
        for position, what in enumerate(("scale", "bias", "mean", "variance"), start=1):
            arr = self.const(node, position, what).astype(np.float64)
            if arr.shape != (channels,):
                raise FrontendError(f"node {label} (BatchNormalization): {what} has shape {arr.shape}; "
                                    f"it needs one value per channel, ({channels},)")
            per_element = np.broadcast_to(arr.reshape((channels,) + (1,) * (len(t.shape) - 1)), t.shape)
            stats.append(compact(to_ir_order(per_element, t.index), shape))
        gamma, beta, mean, var = np.broadcast_arrays(*stats)
        bn = BatchNorm(label.strip("'"), gamma, beta, mean, var, float(_attr(node, "epsilon", 1e-5)))
        return Tensor(self.emit(bn, [t.value]), t.index)

    def _op_Pad(self, node, live, label: str) -> Tensor:
        t = live[0]
        mode = _attr(node, "mode", "constant")
        if mode != "constant":
            raise FrontendError(f"node {label} (Pad): mode {mode!r} is not supported; bnn2q pads with a constant")
        if self.opset >= 11:
            pads = [int(p) for p in self._vector(node, 1, "pads")]
            fill = float(self.const(node, 2, "constant_value")) if len(node.input) > 2 and node.input[2] else 0.0
        else:
            pads, fill = [int(p) for p in _attr(node, "pads", [])], float(_attr(node, "value", 0.0))
        rank = t.index.ndim + 1
        if len(pads) != 2 * rank or min(pads) < 0 or pads[0] or pads[rank]:
            raise FrontendError(f"node {label} (Pad): pads {pads} must be non-negative and leave the batch "
                                "axis alone")
        before, after = pads[1:rank], pads[rank + 1:]
        padded = math.prod(d + b + a for d, b, a in zip(t.index.shape, before, after))
        budget.check(24 * padded, f"the padded output of node {label} (Pad)", FIX)
        if t.spin and fill != 0.0:
            t = self.real(t, label)
        index = np.pad(t.index, list(zip(before, after)), constant_values=-1)
        value = self.emit(Gather(label.strip("'"), index.reshape(-1), (index.size,)), [t.value])
        if fill != 0.0:
            offset = np.where(index.reshape(-1) < 0, fill, 0.0)
            value = self.emit(Affine(f"{label.strip(chr(39))}.fill", np.ones(1), offset), [value])
        return Tensor(value, np.arange(index.size).reshape(index.shape), spin=t.spin, gain=t.gain, shift=t.shift)

    def _op_Softmax(self, node, live, label: str) -> Tensor:
        t = live[0]
        if t.spin or t.index.ndim != 1:
            raise FrontendError(f"node {label} ({node.op_type}) must act on the flat logits of the last layer")
        if self.graph.output[0].name != node.output[0]:
            raise FrontendError(f"node {label} ({node.op_type}) is not the last node; softmax must be last")
        # A softmax (monotone per sample) does not change the argmax: read the logits before it.
        return Tensor(t.value, t.index, final=True)

    _op_LogSoftmax = _op_Softmax


def _window(node, label: str, in_hw, k_hw) -> tuple[tuple[int, int], tuple[int, int, int, int]]:
    """(strides, (top, bottom, left, right)) of a Conv/pool from its ONNX attributes."""
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

