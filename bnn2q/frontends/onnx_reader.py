"""Walk an ONNX graph and emit the bnn2q op graph (SPEC §1), any DAG of supported nodes.

Every live tensor is a ``Tensor``: the IR value holding its elements and where each element
sits in it (``index``), plus, for a binarized tensor, the affine map gain · y + shift of the
spins y it carries. Layout ops move ``index`` alone; an op that needs another layout (a
convolution reads channels-last, a dense layer a flat vector, an add two tensors laid out
alike) gets it through an IR ``Gather`` only when the layouts really differ. This reads what
exporters actually write:

- tf2onnx's ``ste_sign`` is ``Sign(Sign(x) + c)``: Sign gives spins, ``+ c`` a shift, and the
  outer Sign returns the same spins whenever |c| < gain (Larq uses c = 0.1);
- QONNX ``BipolarQuant(x, s)`` is a Sign whose spins carry gain s;
- batch-norm arrives as ``BatchNormalization``, or folded to ``Mul``/``Add`` (or into the
  convolution's weights, which are then ±scale per channel);
- PyTorch's ``x.view(x.shape[0], -1)`` is ``Shape → Gather → Unsqueeze → Concat → Reshape``:
  the per-sample dimensions are fixed, so ``Shape`` folds to a constant whose batch entry is a
  marker the Reshape recognizes.

A plain ONNX ``Sign`` maps 0 to 0; bnn2q reads it as Larq's sign, 0 ↦ +1 (SPEC §1): the two
agree unless a pre-activation is exactly 0. Layer handlers live in ``onnx_layers``."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .. import budget
from ..errors import FrontendError
from ..ir import INPUT, Affine, Concat, Gather, Graph, Node, Reshape
from .onnx_arithmetic import AFFINE_OPS, ELEMENTWISE, ArithmeticHandlers
from .onnx_constants import MULTI_BIT_OPS, QONNX_DOMAINS, fold_constant_node, node_label
from .onnx_layers import LayerHandlers
from .onnx_layout import BATCH_MARKER, reshape_target
from .onnx_signs import SignHandlers
from .onnx_values import Tensor
from .onnx_values import attr as _attr

LAYOUT_OPS = ("Identity", "Dropout", "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Cast")
SUPPORTED = ("MatMul, Gemm, Conv (grouped, dilated), BatchNormalization, Add/Sub/Mul/Max/Min of "
             "activations and constants, Div by constants, Sign, BipolarQuant, Quant, Round, "
             "GreaterOrEqual/Greater/LessOrEqual/Less with a constant, Not, Where of two constants, "
             "MaxPool, AveragePool, GlobalAveragePool, Concat, Split, Pad, Transpose, Reshape, Flatten, "
             "Squeeze, Unsqueeze, Cast, Shape, Identity, Dropout, Relu, LeakyRelu, PRelu, Tanh, Sigmoid, "
             "Clip, Softmax")


class OnnxReader(LayerHandlers, ArithmeticHandlers, SignHandlers):
    """Reads one checked ModelProto into a ``Graph``."""

    def __init__(self, model, opset: int, input_name: str, input_shape: tuple, batch, source: str):
        from onnx import numpy_helper

        self.graph = model.graph
        self.opset = opset
        self.batch = batch
        self.source = source
        self.input_shape = tuple(input_shape)
        self.nodes: list[Node] = []
        self.shapes = {INPUT: tuple(input_shape)}
        self.consts = {init.name: numpy_helper.to_array(init) for init in self.graph.initializer}
        budget.check(8 * math.prod(input_shape), f"one sample of input {input_name!r} {tuple(input_shape)}",
                     "export the model with the input shape it was trained on")
        index = np.arange(int(np.prod(input_shape)), dtype=np.int64).reshape(input_shape)
        self.values = {input_name: Tensor(INPUT, index)}
        self.layer_names: set[str] = set()

    # -- driver ----------------------------------------------------------------------------

    def read(self) -> Graph:
        for node in self.graph.node:
            self._node(node)
        out = self.graph.output[0].name
        tensor = self.values.get(out)
        if tensor is None:
            raise FrontendError(f"the output {out!r} does not depend on the input; bnn2q needs a "
                                "network whose logits come from its input")
        if tensor.spin:
            raise FrontendError(f"the output {out!r} is binarized (ends in a sign); bnn2q reads real logits")
        value = self.flat(tensor, "the graph output")
        return Graph(self.input_shape, tuple(self.nodes), value, self.source)

    def _node(self, node):
        names = [name for name in node.input if name]
        label = node_label(node)
        if node.op_type in ("Shape", "Size") and names and names[0] in self.values:
            self._store_consts(node, [self._shape_of(node, self.values[names[0]])])
            return
        if all(name in self.consts for name in names):
            if not names and node.op_type not in ("Constant", "ConstantOfShape", "RandomNormal", "RandomUniform"):
                raise FrontendError(f"node {label}: {node.op_type} without inputs")
            self._store_consts(node, fold_constant_node(node, self.consts, self.opset))
            return
        unknown = [name for name in names if name not in self.values and name not in self.consts]
        if unknown:
            raise FrontendError(f"node {label} ({node.op_type}) reads {unknown[0]!r}, which bnn2q cannot "
                                "resolve (a second output or an unsupported producer)")
        live = [self.values[name] for name in names if name in self.values]
        if any(t.final for t in live):
            raise FrontendError(f"node {label} ({node.op_type}) follows the softmax; softmax must be last")
        handler = self._handler(node)
        out = handler(node, live, label)
        outputs = [name for name in node.output if name] if isinstance(out, list) else [node.output[0]]
        for name, tensor in zip(outputs, out if isinstance(out, list) else [out]):
            self.values[name] = tensor

    def _handler(self, node):
        op = node.op_type
        if node.domain in QONNX_DOMAINS and op == "BipolarQuant":
            return self._bipolar_quant
        if node.domain in QONNX_DOMAINS and op in ("Quant", "IntQuant"):
            return self._quant
        if op in MULTI_BIT_OPS:
            raise FrontendError(f"node {node_label(node)}: {op} is a multi-bit quantizer; bnn2q needs one "
                                "bit per neuron (Sign or BipolarQuant)")
        if node.domain not in ("", "ai.onnx"):
            raise FrontendError(f"node {node_label(node)}: op {node.domain}.{op} is not supported; "
                                f"bnn2q reads {SUPPORTED}")
        if op in LAYOUT_OPS:
            return self._layout
        if op in AFFINE_OPS:
            return self._arithmetic
        if op in ELEMENTWISE:
            return self._elementwise
        handler = getattr(self, f"_op_{op}", None)
        if handler is None:
            raise FrontendError(f"node {node_label(node)}: op {op} is not supported; bnn2q reads {SUPPORTED}")
        return handler

    def _store_consts(self, node, outputs):
        for name, value in zip(node.output, outputs):
            if name:
                self.consts[name] = value

    def _shape_of(self, node, tensor: Tensor) -> np.ndarray:
        """``Shape`` of a live tensor: fixed per-sample dims, the batch axis a marker."""
        shape = np.array([BATCH_MARKER] + list(tensor.shape), dtype=np.int64)
        if node.op_type == "Size":
            raise FrontendError(f"node {node_label(node)}: Size of an activation depends on the batch; "
                                "export with constant shapes")
        start, end = _attr(node, "start", 0), _attr(node, "end", None)
        return shape[start:end]

    # -- emitting IR -----------------------------------------------------------------------

    def emit(self, op, inputs, name: str | None = None) -> str:
        out = name or op.name
        while out in self.shapes:
            out += "'"
        self.nodes.append(Node(op, tuple(inputs), out))
        self.shapes[out] = tuple(op.out_shape(*(self.shapes[v] for v in inputs)))
        return out

    def const(self, node, position: int, what: str) -> np.ndarray:
        if position >= len(node.input) or not node.input[position]:
            raise FrontendError(f"node {node_label(node)} ({node.op_type}): missing {what}")
        name = node.input[position]
        if name not in self.consts:
            raise FrontendError(f"node {node_label(node)} ({node.op_type}): {what} {name!r} must be a "
                                "constant (an initializer) so bnn2q can read it")
        return np.asarray(self.consts[name])

    def _vector(self, node, position: int, what: str) -> np.ndarray:
        """A 1-D integer constant input (a shape or axes list)."""
        arr = self.const(node, position, what)
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise FrontendError(f"node {node_label(node)} ({node.op_type}): {what} must be a 1-D integer "
                                f"tensor, got {arr.dtype} of shape {arr.shape}")
        return arr

    def size(self, value: str) -> int:
        return int(np.prod(self.shapes[value], dtype=np.int64))

    def _covers(self, t: Tensor) -> bool:
        """Whether t's elements are exactly the elements of its IR value (a permutation)."""
        flat = t.index.reshape(-1)
        return flat.size == self.size(t.value) and np.array_equal(np.sort(flat), np.arange(flat.size))

    def laid_out(self, t: Tensor, index: np.ndarray, shape: tuple, label: str, any_shape: bool = False) -> str:
        """An IR value of ``shape`` whose flat position k holds t's element at ``index``'s
        position k (``index`` ranges over t's elements in C order); ``any_shape``: the value's
        own shape will do when its flat order is right (a dense layer reads it flat)."""
        positions = t.index.reshape(-1)[index.reshape(-1)]
        if positions.size == self.size(t.value) and np.array_equal(positions, np.arange(positions.size)):
            if any_shape or self.shapes[t.value] == tuple(shape):
                return t.value
            return self.emit(Reshape(f"{label}.reshape", shape), [t.value])
        return self.emit(Gather(f"{label}.layout", positions, shape), [t.value])

    def flat(self, t: Tensor, label: str, any_shape: bool = False) -> str:
        """t as a flat IR vector in its own (C) element order."""
        n = t.index.size
        return self.laid_out(t, np.arange(n), (n,), label.strip("'"), any_shape)

    def channels_last(self, t: Tensor, label: str) -> str:
        """An ONNX [C, H, W] tensor as an IR (H, W, C) value."""
        c, h, w = t.shape
        order = np.arange(c * h * w).reshape(c, h, w).transpose(1, 2, 0)
        return self.laid_out(t, order, (h, w, c), label.strip("'"))

    def real(self, t: Tensor, label: str) -> Tensor:
        """t with its spins' gain and shift applied in the IR (a plain real tensor)."""
        if not t.spin:
            return t
        if t.gain == 1.0 and t.shift == 0.0:
            return replace(t, spin=False)
        value = self.emit(Affine(f"{label.strip(chr(39))}.spin_scale", np.array(t.gain), np.array(t.shift)),
                          [t.value])
        return Tensor(value, t.index)

    def aligned(self, t: Tensor, like: Tensor, label: str) -> str:
        """An IR value holding t's elements laid out as ``like``'s value (same ONNX shape)."""
        if np.array_equal(t.index, like.index) and self.shapes[t.value] == self.shapes[like.value]:
            return t.value
        if not self._covers(like):
            raise FrontendError(f"node {label}: combines activations laid out in ways bnn2q cannot align")
        inverse = np.argsort(like.index.reshape(-1))
        return self.laid_out(t, inverse, self.shapes[like.value], label.strip("'"))

    # -- layout ----------------------------------------------------------------------------

    def _layout(self, node, live, label: str) -> Tensor:
        op = node.op_type
        (t,) = live
        if node.input[0] not in self.values:
            raise FrontendError(f"node {label} ({op}): its data input must be the activation")
        index = t.index
        if op == "Transpose":
            perm = _attr(node, "perm", list(range(index.ndim + 1))[::-1])
            if sorted(perm) != list(range(index.ndim + 1)) or perm[0] != 0:
                raise FrontendError(f"node {label} (Transpose): perm {perm} moves the batch axis")
            index = index.transpose([p - 1 for p in perm[1:]])
        elif op == "Reshape":
            shape = [int(d) for d in self._vector(node, 1, "shape")]
            target = reshape_target(shape, index.shape, self.batch, bool(_attr(node, "allowzero", 0)))
            if target is None:
                raise FrontendError(f"node {label} (Reshape): cannot keep the batch axis first when "
                                    f"reshaping {index.shape} per sample to {shape}")
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
            t = self.cast(t, _attr(node, "to", 1), label)
        return replace(t, index=index)

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

    def _op_Split(self, node, live, label: str) -> list[Tensor]:
        """Pieces of an activation along one per-sample axis: its index, sliced (no IR op)."""
        (t,) = live
        axis = _attr(node, "axis", 0)
        axis = axis + t.index.ndim + 1 if axis < 0 else axis
        if not 0 < axis <= t.index.ndim:
            raise FrontendError(f"node {label} (Split): axis {axis} is the batch axis")
        outputs = [name for name in node.output if name]
        if len(node.input) > 1 and node.input[1]:
            sizes = [int(v) for v in self._vector(node, 1, "split")]
        elif _attr(node, "split", None) is not None:
            sizes = [int(v) for v in _attr(node, "split", None)]
        else:
            n, size = len(outputs), t.index.shape[axis - 1]
            sizes = [-(-size // n)] * (n - 1) + [size - (n - 1) * -(-size // n)]
        if sum(sizes) != t.index.shape[axis - 1] or len(sizes) != len(outputs) or min(sizes) < 0:
            raise FrontendError(f"node {label} (Split): sizes {sizes} do not cut axis {axis} of {t.shape}")
        edges = np.cumsum([0] + sizes)
        return [replace(t, index=np.take(t.index, np.arange(a, b), axis=axis - 1))
                for a, b in zip(edges[:-1], edges[1:])]

    def _op_Concat(self, node, live, label: str) -> Tensor:
        if len(live) != len([n for n in node.input if n]):
            raise FrontendError(f"node {label} (Concat) joins an activation with a constant; not supported")
        parts = [self.real(t, label) for t in live]
        rank = parts[0].index.ndim
        axis = _attr(node, "axis", 1)
        axis = axis + rank + 1 if axis < 0 else axis
        if any(t.index.ndim != rank for t in parts) or not 0 < axis <= rank:
            raise FrontendError(f"node {label} (Concat) joins activations of different ranks or along the batch "
                                "axis")
        if (axis, rank) not in ((1, 1), (1, 3)):
            # Any other axis: join the flat values, then lay the elements out along that axis.
            values = [self.flat(t, label) for t in parts]
            value = self.emit(Concat(label.strip("'")), values)
            starts = np.cumsum([0] + [t.index.size for t in parts])
            index = np.concatenate([start + np.arange(t.index.size).reshape(t.shape)
                                    for start, t in zip(starts, parts)], axis=axis - 1)
            return Tensor(value, index)
        if rank == 1:
            values = [self.flat(t, label) for t in parts]
            value = self.emit(Concat(label.strip("'")), values)
            return Tensor(value, np.arange(self.size(value)))
        values = [self.channels_last(t, label) for t in parts]
        value = self.emit(Concat(label.strip("'")), values)
        h, w, c = self.shapes[value]
        return Tensor(value, np.arange(h * w * c).reshape(h, w, c).transpose(2, 0, 1))
