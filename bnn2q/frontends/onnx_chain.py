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
unless a pre-activation is exactly 0. Layer handlers live in ``onnx_layers``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import FrontendError
from ..ir import Affine, Graph, Sign
from .onnx_constants import MULTI_BIT_OPS, QONNX_DOMAINS, fold_constant_node, node_label
from .onnx_layers import LayerHandlers
from .onnx_layout import compact, reshape_target, to_ir_order
from .onnx_values import Activation
from .onnx_values import attr as _attr

LAYOUT_OPS = ("Identity", "Dropout", "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Cast")
AFFINE_OPS = ("Mul", "Div", "Add", "Sub", "Neg")
SUPPORTED = ("MatMul, Gemm, Conv, BatchNormalization, Mul/Add/Sub/Div by constants, Sign, "
             "BipolarQuant, MaxPool, Transpose, Reshape, Flatten, Squeeze, Unsqueeze, "
             "Identity, Dropout, Softmax")
REAL_ACTIVATIONS = ("Relu", "LeakyRelu", "Tanh", "Sigmoid", "HardSigmoid", "HardSwish", "Clip",
                    "Elu", "Selu", "Softplus", "PRelu", "Gelu", "Abs")


class ChainReader(LayerHandlers):
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
