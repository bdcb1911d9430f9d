"""Walk an ONNX graph as one chain of activations and emit the bnn2q op list (SPEC §1).

Every live activation is an ``Activation``: its layout over the IR's current flat vector
(see ``onnx_layout``), whether it is real or binarized, and — for a binarized one — the
affine map v = gain · y + shift of the spins y ∈ {±1} it carries. This lets one set of rules
read what exporters actually write:

- tf2onnx's ``ste_sign`` is ``Sign(Sign(x) + c)``: Sign gives spins, ``+ c`` a shift, and the
  outer Sign returns the same spins whenever |c| < gain (Larq uses c = 0.1);
- QONNX ``BipolarQuant(x, s)`` is a Sign whose spins carry gain s; the next dense/conv
  layer takes s as a scale, W (s y) = s (W y);
- batch-norm arrives as ``BatchNormalization``, or folded to ``Mul``/``Add`` (or into the
  convolution's weights, which are then ±scale per channel and give an Affine).

Every ONNX op acts on the (batch-free) tensor shape; the batch axis must stay first. A plain
ONNX ``Sign`` maps 0 to 0; bnn2q reads it as Larq's sign, 0 ↦ +1 (SPEC §1): the two agree
unless a pre-activation is exactly 0."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import FrontendError
from ..ir import Affine, BatchNorm, Conv2D, Dense, Graph, MaxPool2D, Sign
from .binary_kernel import split_binary_kernel
from .onnx_constants import MULTI_BIT_OPS, QONNX_DOMAINS, fold_constant_node, node_label
from .onnx_layout import compact, nchw_view, reshape_target, to_ir_order

LAYOUT_OPS = ("Identity", "Dropout", "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Cast")
AFFINE_OPS = ("Mul", "Div", "Add", "Sub", "Neg")
SUPPORTED = ("MatMul, Gemm, Conv, BatchNormalization, Mul/Add/Sub/Div by constants, Sign, "
             "BipolarQuant, MaxPool, Transpose, Reshape, Flatten, Squeeze, Unsqueeze, "
             "Identity, Dropout, Softmax")
REAL_ACTIVATIONS = ("Relu", "LeakyRelu", "Tanh", "Sigmoid", "HardSigmoid", "HardSwish", "Clip",
                    "Elu", "Selu", "Softplus", "PRelu", "Gelu", "Abs")


@dataclass(frozen=True)
class Activation:
    """A live activation tensor (per sample).

    ``index``: the IR position of each element; ``stage``: how many IR ops existed when it
    was made (a chain only ever reads the newest stage); ``spin``: binarized, holding
    gain · y + shift; ``final``: a softmax made it, nothing may follow."""

    index: np.ndarray
    stage: int
    spin: bool = False
    gain: float = 1.0
    shift: float = 0.0
    final: bool = False

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.index.shape)


class ChainReader:
    """Reads one checked ModelProto into a ``Graph``."""

    def __init__(self, model, opset: int, input_name: str, input_shape: tuple, batch, source: str):
        from onnx import numpy_helper

        self.graph = model.graph
        self.opset = opset
        self.batch = batch
        self.source = source
        self.input_shape = tuple(input_shape)
        self.ir_shape = tuple(input_shape)
        self.ops: list = []
        self.linear_seen: str | None = None
        self.consts = {init.name: numpy_helper.to_array(init) for init in self.graph.initializer}
        index = np.arange(int(np.prod(input_shape)), dtype=np.int64).reshape(input_shape)
        self.values = {input_name: Activation(index, 0)}

    # -- driver ----------------------------------------------------------------------------

    def read(self) -> Graph:
        for node in self.graph.node:
            self._node(node)
        out = self.graph.output[0].name
        value = self.values.get(out)
        if value is None:
            raise FrontendError(
                f"the output {out!r} does not depend on the input; bnn2q needs a network whose "
                "logits come from its input"
            )
        self._check_current(value, out, "the graph output")
        if value.spin:
            raise FrontendError(
                f"the output {out!r} is binarized (ends in a sign); bnn2q reads real logits"
            )
        if len(value.shape) != 1 or not np.array_equal(value.index, np.arange(value.index.size)):
            raise FrontendError(
                f"the output {out!r} has shape {value.shape} per sample (or reorders the last "
                "layer's units); bnn2q reads a flat logits vector"
            )
        return Graph(self.input_shape, tuple(self.ops), self.source)

    def _node(self, node):
        names = [name for name in node.input if name]
        if all(name in self.consts for name in names) and node.op_type != "Constant":
            if not names and node.op_type not in ("ConstantOfShape", "RandomNormal", "RandomUniform"):
                raise FrontendError(f"node {node_label(node)}: {node.op_type} without inputs")
            self._store_consts(node, fold_constant_node(node, self.consts, self.opset))
            return
        if node.op_type == "Constant":
            self._store_consts(node, fold_constant_node(node, self.consts, self.opset))
            return
        live = [name for name in names if name in self.values]
        unknown = [name for name in names if name not in self.values and name not in self.consts]
        label = node_label(node)
        if unknown:
            raise FrontendError(
                f"node {label} ({node.op_type}) reads {unknown[0]!r}, which bnn2q cannot resolve "
                "(a dynamic shape, a second output or an unsupported producer)"
            )
        if len(set(live)) > 1:
            raise FrontendError(
                f"node {label} ({node.op_type}) combines activations {live[0]!r} and {live[1]!r} "
                "(a residual add or a branch); bnn2q reads a single feed-forward chain"
            )
        value = self.values[live[0]]
        self._check_current(value, live[0], f"node {label}")
        if value.final:
            raise FrontendError(f"node {label} ({node.op_type}) follows the softmax; softmax must be last")
        handler = self._handler(node)
        result = handler(node, value, label)
        self.values[node.output[0]] = result

    def _handler(self, node):
        op = node.op_type
        if node.domain in QONNX_DOMAINS and op == "BipolarQuant":
            return self._bipolar_quant
        if op in MULTI_BIT_OPS:
            raise FrontendError(
                f"node {node_label(node)}: {op} is a multi-bit quantizer; bnn2q needs one bit per "
                "neuron (Sign or BipolarQuant)"
            )
        if node.domain not in ("", "ai.onnx"):
            raise FrontendError(
                f"node {node_label(node)}: op {node.domain}.{op} is not supported; "
                f"bnn2q reads {SUPPORTED}"
            )
        if op in ("Shape", "Size"):
            raise FrontendError(
                f"node {node_label(node)}: {op} reads the run-time shape of an activation, a "
                "dynamic shape bnn2q cannot resolve; export with constant Reshape targets"
            )
        if op in REAL_ACTIVATIONS:
            raise FrontendError(
                f"node {node_label(node)}: {op} is a real-valued activation; hidden layers of a "
                "BNN end in a sign (Sign or BipolarQuant)"
            )
        if op in LAYOUT_OPS:
            return self._layout
        if op in AFFINE_OPS:
            return self._affine
        handler = getattr(self, f"_op_{op}", None)
        if handler is None:
            raise FrontendError(f"node {node_label(node)}: op {op} is not supported; bnn2q reads {SUPPORTED}")
        return handler

    def _store_consts(self, node, outputs):
        for name, value in zip(node.output, outputs):
            if name:
                self.consts[name] = value

    def _check_current(self, value: Activation, name: str, who: str):
        if value.stage != len(self.ops):
            later = self.ops[value.stage].name
            raise FrontendError(
                f"{who} reads {name!r}, computed before {later!r}; bnn2q reads a single chain "
                "(no skip connections or branches)"
            )

    def _emit(self, op) -> int:
        self.ops.append(op)
        return len(self.ops)

    def _const(self, node, position: int, what: str) -> np.ndarray:
        if position >= len(node.input) or not node.input[position]:
            raise FrontendError(f"node {node_label(node)} ({node.op_type}): missing {what}")
        name = node.input[position]
        if name not in self.consts:
            raise FrontendError(
                f"node {node_label(node)} ({node.op_type}): {what} {name!r} must be a constant "
                "(an initializer) so bnn2q can read it"
            )
        return np.asarray(self.consts[name])

    def _vector(self, node, position: int, what: str) -> np.ndarray:
        """A 1-D integer constant input (a shape or axes list)."""
        arr = self._const(node, position, what)
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise FrontendError(
                f"node {node_label(node)} ({node.op_type}): {what} must be a 1-D integer tensor, "
                f"got {arr.dtype} of shape {arr.shape}"
            )
        return arr

    # -- layout ----------------------------------------------------------------------------

    def _layout(self, node, value: Activation, label: str) -> Activation:
        op = node.op_type
        if node.input[0] not in self.values:
            raise FrontendError(f"node {label} ({op}): its data input must be the activation")
        index = value.index
        if op == "Transpose":
            perm = _attr(node, "perm", list(range(index.ndim + 1))[::-1])
            if sorted(perm) != list(range(index.ndim + 1)) or perm[0] != 0:
                raise FrontendError(f"node {label} (Transpose): perm {perm} moves the batch axis")
            index = index.transpose([p - 1 for p in perm[1:]])
        elif op == "Reshape":
            target = reshape_target(
                [int(d) for d in self._vector(node, 1, "shape")],
                index.shape, self.batch, bool(_attr(node, "allowzero", 0)),
            )
            if target is None:
                raise FrontendError(
                    f"node {label} (Reshape): cannot keep the batch axis first when reshaping "
                    f"{index.shape} per sample to {self._const(node, 1, 'shape').tolist()}"
                )
            index = index.reshape(target)
        elif op == "Flatten":
            axis = _attr(node, "axis", 1)
            if axis < 0:
                axis += index.ndim + 1
            if axis != 1:
                raise FrontendError(f"node {label} (Flatten): axis {axis} would merge the batch axis")
            index = index.reshape(-1)
        elif op in ("Squeeze", "Unsqueeze"):
            index = self._squeeze(node, index, label)
        elif op == "Cast":
            if _attr(node, "to", 1) not in (1, 10, 11):
                raise FrontendError(f"node {label} (Cast): casts activations to a non-float type")
        return replace(value, index=index)

    def _squeeze(self, node, index: np.ndarray, label: str) -> np.ndarray:
        if len(node.input) > 1 and node.input[1]:
            axes = [int(a) for a in self._vector(node, 1, "axes")]
        else:
            axes = _attr(node, "axes", None)
        unsqueeze = node.op_type == "Unsqueeze"
        rank = index.ndim + 1 + (len(axes) if unsqueeze and axes else 0)
        if axes is None:
            if unsqueeze:
                raise FrontendError(f"node {label} (Unsqueeze): no axes")
            return index.reshape([d for d in index.shape if d != 1])
        axes = sorted(a + rank if a < 0 else a for a in axes)
        if 0 in axes or any(not 0 < a < rank for a in axes):
            raise FrontendError(f"node {label} ({node.op_type}): axes {axes} touch the batch axis")
        per_sample = [a - 1 for a in axes]
        if unsqueeze:
            return np.expand_dims(index, tuple(per_sample))
        if any(index.shape[a] != 1 for a in per_sample):
            raise FrontendError(f"node {label} (Squeeze): axes {axes} are not of size 1")
        return np.squeeze(index, axis=tuple(per_sample))

    # -- elementwise -----------------------------------------------------------------------

    def _affine(self, node, value: Activation, label: str) -> Activation:
        op = node.op_type
        if op == "Neg":
            const, data_first = np.array(-1.0), True
            op = "Mul"
        else:
            if len(node.input) != 2:
                raise FrontendError(f"node {label} ({op}): expects two inputs")
            data_first = node.input[0] in self.values
            const = self._const(node, 1 if data_first else 0, "operand").astype(np.float64)
        if not np.all(np.isfinite(const)):
            raise FrontendError(f"node {label} ({op}): its constant holds NaN or inf")
        full = self._broadcast(const, value, node, label)
        if op == "Div":
            if not data_first:
                raise FrontendError(f"node {label} (Div): divides by an activation; not linear")
            if np.any(full == 0):
                raise FrontendError(f"node {label} (Div): divides by zero")
            full, op = 1.0 / full, "Mul"
        scale, offset = (full, np.zeros_like(full)) if op == "Mul" else (np.ones_like(full), full)
        if op == "Sub":
            scale, offset = (np.ones_like(full), -full) if data_first else (-np.ones_like(full), full)
        if value.spin:
            return self._affine_on_spins(value, scale, offset, node, label)
        if not self.linear_seen:
            raise FrontendError(
                f"node {label} ({node.op_type}) transforms the model input before the first layer; "
                "bnn2q feeds the raw input to the first dense/convolution layer (preprocess the data)"
            )
        stage = self._emit(Affine(
            label.strip("'"),
            compact(to_ir_order(scale, value.index), self.ir_shape),
            compact(to_ir_order(offset, value.index), self.ir_shape),
        ))
        return replace(value, stage=stage)

    def _affine_on_spins(self, value, scale, offset, node, label) -> Activation:
        """gain · y + shift stays a spin tensor under one positive scale and one shift."""
        a, c = scale.reshape(-1), offset.reshape(-1)
        if np.any(a != a[0]) or np.any(c != c[0]) or a[0] <= 0:
            raise FrontendError(
                f"node {label} ({node.op_type}) rescales binarized activations per unit or by a "
                "non-positive factor; bnn2q needs the spins ±1 times one positive scale"
            )
        return replace(value, gain=value.gain * a[0], shift=value.shift * a[0] + c[0])

    def _broadcast(self, const, value: Activation, node, label) -> np.ndarray:
        """The constant broadcast over one sample's tensor (it may not grow the tensor)."""
        full_shape = (1,) + value.shape
        if const.ndim > len(full_shape):
            raise FrontendError(f"node {label} ({node.op_type}): constant of rank {const.ndim} "
                                f"broadcasts the activation {value.shape} to a higher rank")
        try:
            out = np.broadcast_to(const, full_shape)
            if np.broadcast_shapes(const.shape, full_shape) != full_shape:
                raise ValueError
        except ValueError:
            raise FrontendError(
                f"node {label} ({node.op_type}): constant of shape {const.shape} does not fit the "
                f"activation of shape {value.shape} per sample"
            ) from None
        return np.asarray(out[0], dtype=np.float64)

    def _op_Sign(self, node, value: Activation, label: str) -> Activation:
        return self._binarize(value, label, 1.0)

    def _bipolar_quant(self, node, value: Activation, label: str) -> Activation:
        if node.input[0] not in self.values:
            raise FrontendError(f"node {label} (BipolarQuant): its data input must be the activation")
        scale = self._const(node, 1, "scale").astype(np.float64).reshape(-1)
        if scale.size == 0 or np.any(scale != scale[0]) or not np.isfinite(scale[0]) or scale[0] <= 0:
            raise FrontendError(
                f"node {label} (BipolarQuant): activation scale {scale[:4].tolist()} must be one "
                "positive number (per-channel activation scales are not supported)"
            )
        return self._binarize(value, label, float(scale[0]))

    def _binarize(self, value: Activation, label: str, gain: float) -> Activation:
        if value.spin:
            # sign(g y + c) = y exactly when |c| < g (tf2onnx's Sign(Sign(x) + 0.1)).
            if abs(value.shift) >= value.gain:
                raise FrontendError(
                    f"node {label}: sign of binarized values shifted by {value.shift:g} "
                    f"(≥ their scale {value.gain:g}) is constant; not a BNN activation"
                )
            return replace(value, gain=gain, shift=0.0)
        stage = self._emit(Sign(label.strip("'")))
        return replace(value, stage=stage, spin=True, gain=gain, shift=0.0)

    # -- layers ----------------------------------------------------------------------------

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


def _attr(node, name: str, default):
    from onnx import helper

    for attr in node.attribute:
        if attr.name == name:
            value = helper.get_attribute_value(attr)
            return value.decode() if isinstance(value, bytes) else (list(value) if not np.isscalar(value) else value)
    return default


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
