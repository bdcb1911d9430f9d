"""The ONNX reader's arithmetic: affine maps by constants, sums, products, max and min of
activations (broadcast), real nonlinearities (Relu, LeakyRelu, PRelu, Tanh, Sigmoid, Clip) and
multi-bit quantizers (QONNX ``Quant``, ``Round``), all as IR ops the host computes wherever they
sit. Mixed into ``OnnxReader``; a spin tensor under one positive scale and shift stays spins."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import FrontendError
from ..ir import Add, Affine, Clip, Elementwise, Maximum, Minimum, Multiply, Quantize
from .onnx_layout import compact, to_ir_order
from .onnx_values import Tensor
from .onnx_values import attr as _attr

AFFINE_OPS = ("Mul", "Div", "Add", "Sub", "Neg")
ELEMENTWISE = {"Relu": "relu", "LeakyRelu": "prelu", "PRelu": "prelu", "Tanh": "tanh", "Sigmoid": "sigmoid"}
#: Ops of two or more activations, elementwise with broadcasting.
COMBINE = {"Add": Add, "Sub": Add, "Mul": Multiply, "Max": Maximum, "Min": Minimum}
#: QONNX ``Quant`` rounding modes → ``Quantize.rounding``.
ROUNDING = {"ROUND": "half_even", "FLOOR": "floor", "CEIL": "ceil"}


class ArithmeticHandlers:
    """Uses the reader's state (consts, shapes) and helpers (emit, real, flat, aligned, const)."""

    def _arithmetic(self, node, live, label: str) -> Tensor:
        if len(live) >= 2:
            return self._combine(node, live, label)
        op = node.op_type
        (t,) = live
        if op == "Neg":
            const, data_first, op = np.array(-1.0), True, "Mul"
        else:
            if len(node.input) != 2:
                raise FrontendError(f"node {label} ({op}): expects two inputs")
            data_first = node.input[0] in self.values
            const = self.const(node, 1 if data_first else 0, "operand").astype(np.float64)
        if not np.all(np.isfinite(const)):
            raise FrontendError(f"node {label} ({op}): its constant holds NaN or inf")
        full = self._broadcast(const, t, node, label)
        if op == "Div":
            if not data_first:
                raise FrontendError(f"node {label} (Div): divides a constant by an activation; bnn2q multiplies "
                                    "by computed values but does not divide by them")
            if np.any(full == 0):
                raise FrontendError(f"node {label} (Div): divides by zero")
            full, op = 1.0 / full, "Mul"
        scale, offset = (full, np.zeros_like(full)) if op == "Mul" else (np.ones_like(full), full)
        if op == "Sub":
            scale, offset = (np.ones_like(full), -full) if data_first else (-np.ones_like(full), full)
        return self.affine(t, scale, offset, label)

    def affine(self, t: Tensor, scale: np.ndarray, offset: np.ndarray, label: str) -> Tensor:
        """scale · t + offset (per element, t's ONNX shape)."""
        a, c = scale.reshape(-1), offset.reshape(-1)
        if t.spin and not t.boolean and np.all(a == a[0]) and np.all(c == c[0]) and a[0] > 0:
            # gain · y + shift stays a spin tensor under one positive scale and one shift.
            return replace(t, gain=t.gain * a[0], shift=t.shift * a[0] + c[0])
        t = self.dense_layout(self.real(t, label), label)
        shape = self.shapes[t.value]
        value = self.emit(Affine(label.strip("'"), compact(to_ir_order(scale, t.index), shape),
                                 compact(to_ir_order(offset, t.index), shape)), [t.value])
        return Tensor(value, t.index)

    def dense_layout(self, t: Tensor, label: str) -> Tensor:
        """t over an IR value that holds exactly its elements (per-element constants need it)."""
        if self._covers(t):
            return t
        return Tensor(self.flat(t, label), np.arange(t.index.size).reshape(t.shape))

    def _combine(self, node, live, label: str) -> Tensor:
        """Add, Sub, Mul, Max or Min of activations (and constants, for Max and Min)."""
        op = node.op_type
        if op not in COMBINE:
            raise FrontendError(f"node {label} ({op}) divides by an activation; bnn2q multiplies by computed "
                                "values but does not divide by them")
        if op in ("Add", "Sub", "Mul") and len(node.input) != 2:
            raise FrontendError(f"node {label} ({op}): expects two inputs")
        shape = _broadcast_shape(node, label, [t.shape for t in live])
        parts = [self.real(t, label) for t in live]
        full = [i for i, t in enumerate(parts) if t.shape == shape][0]
        first = self.dense_layout(parts[full], label)
        values = []
        for i, t in enumerate(parts):
            if i == full:
                values.append(first.value)
                continue
            index = np.broadcast_to(t.index.reshape((1,) * (len(shape) - t.index.ndim) + t.shape), shape)
            values.append(self.aligned(Tensor(t.value, index), first, label))
        if op == "Sub":
            values[1] = self.emit(Affine(f"{label.strip(chr(39))}.negate", np.array(-1.0), np.array(0.0)),
                                  [values[1]])
        out = Tensor(self.emit(COMBINE[op](label.strip("'")), values), first.index)
        consts = [n for n in node.input[:] if n and n not in self.values]
        if consts:  # Max(x, c) / Min(x, c): a clip
            bound = self.const(node, list(node.input).index(consts[0]), "operand").astype(np.float64)
            for name in consts[1:]:
                other = self.const(node, list(node.input).index(name), "operand").astype(np.float64)
                bound = np.maximum(bound, other) if op == "Max" else np.minimum(bound, other)
            out = self._clip(out, bound if op == "Max" else None, bound if op == "Min" else None, node, label)
        return out

    def _op_Max(self, node, live, label: str) -> Tensor:
        if len(live) >= 2:
            return self._combine(node, live, label)
        bounds = [self.const(node, i, "operand").astype(np.float64) for i, n in enumerate(node.input)
                  if n and n not in self.values]
        return self._clip(live[0], np.maximum.reduce(bounds), None, node, label)

    def _op_Min(self, node, live, label: str) -> Tensor:
        if len(live) >= 2:
            return self._combine(node, live, label)
        bounds = [self.const(node, i, "operand").astype(np.float64) for i, n in enumerate(node.input)
                  if n and n not in self.values]
        return self._clip(live[0], None, np.minimum.reduce(bounds), node, label)

    def _clip(self, t: Tensor, low, high, node, label: str) -> Tensor:
        """clip(t, low, high); a bound of None (or ±inf) is no bound."""
        t = self.dense_layout(self.real(t, label), label)
        shape = self.shapes[t.value]
        bounds = []
        for bound, missing in ((low, -np.inf), (high, np.inf)):
            full = np.full(t.shape, missing) if bound is None else self._broadcast(np.asarray(bound), t, node, label)
            bounds.append(compact(to_ir_order(full, t.index), shape))
        if np.any(np.isnan(bounds[0])) or np.any(np.isnan(bounds[1])):
            raise FrontendError(f"node {label} ({node.op_type}): its bound is NaN")
        return Tensor(self.emit(Clip(label.strip("'"), bounds[0], bounds[1]), [t.value]), t.index)

    def _broadcast(self, const, t: Tensor, node, label) -> np.ndarray:
        """The constant broadcast over one sample's tensor (it may not grow the tensor)."""
        full_shape = (1,) + t.shape
        if const.ndim > len(full_shape):
            raise FrontendError(f"node {label} ({node.op_type}): constant of rank {const.ndim} "
                                f"broadcasts the activation {t.shape} to a higher rank")
        try:
            if np.broadcast_shapes(const.shape, full_shape) != full_shape:
                raise ValueError
            out = np.broadcast_to(const, full_shape)
        except ValueError:
            raise FrontendError(f"node {label} ({node.op_type}): constant of shape {const.shape} does not "
                                f"fit the activation of shape {t.shape} per sample") from None
        return np.asarray(out[0], dtype=np.float64)

    def _elementwise(self, node, live, label: str) -> Tensor:
        op = node.op_type
        t = self.real(live[0], label)
        alpha = np.array(1.0)
        if op == "LeakyRelu":
            alpha = np.array(float(_attr(node, "alpha", 0.01)))
        elif op == "PRelu":
            slope = self._broadcast(self.const(node, 1, "slope").astype(np.float64), t, node, label)
            t = self.dense_layout(t, label)
            alpha = compact(to_ir_order(slope, t.index), self.shapes[t.value])
        value = self.emit(Elementwise(label.strip("'"), ELEMENTWISE[op], alpha), [t.value])
        return Tensor(value, t.index)

    def _op_Clip(self, node, live, label: str) -> Tensor:
        if self.opset < 11:
            return self._clip(live[0], _attr(node, "min", None), _attr(node, "max", None), node, label)
        bounds = [self.const(node, i, what).astype(np.float64) if len(node.input) > i and node.input[i] else None
                  for i, what in ((1, "min"), (2, "max"))]
        return self._clip(live[0], bounds[0], bounds[1], node, label)

    def _op_Round(self, node, live, label: str) -> Tensor:
        t = self.real(live[0], label)
        op = Quantize(label.strip("'"), np.array(1.0), np.array(0.0), -np.inf, np.inf)
        return Tensor(self.emit(op, [t.value]), t.index)

    def _quant(self, node, live, label: str) -> Tensor:
        """QONNX ``Quant(x, scale, zeropt, bitwidth)``: q = clip(round(x / scale + zeropt)) over
        the signed or unsigned (narrow) range of ``bitwidth`` bits, out = (q − zeropt) · scale."""
        if node.input[0] not in self.values or len(live) != 1:
            raise FrontendError(f"node {label} (Quant): its data input must be the activation and the rest constants")
        t = self.dense_layout(self.real(live[0], label), label)
        shape = self.shapes[t.value]
        scale, zero = (compact(to_ir_order(self._broadcast(self.const(node, i, what).astype(np.float64), t, node,
                                                           label), t.index), shape)
                       for i, what in ((1, "scale"), (2, "zero point")))
        bits = self.const(node, 3, "bit width").astype(np.float64).reshape(-1)
        mode = str(_attr(node, "rounding_mode", "ROUND")).upper()
        if bits.size != 1 or bits[0] != round(bits[0]) or not 1 <= bits[0] <= 32 or mode not in ROUNDING:
            raise FrontendError(f"node {label} (Quant): bit width {bits.tolist()} and rounding {mode!r} must be one "
                                f"integer in 1..32 and one of {', '.join(ROUNDING)}")
        b, narrow = int(bits[0]), int(_attr(node, "narrow", 0))
        if int(_attr(node, "signed", 1)):
            low, high = -(2 ** (b - 1)) + narrow, 2 ** (b - 1) - 1
        else:
            low, high = 0, 2 ** b - 1 - narrow
        op = Quantize(label.strip("'"), scale, zero, low, high, ROUNDING[mode])
        return Tensor(self.emit(op, [t.value]), t.index)


def _broadcast_shape(node, label, shapes) -> tuple:
    try:
        out = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        out = None
    if out not in [tuple(s) for s in shapes]:
        raise FrontendError(f"node {label} ({node.op_type}) broadcasts activations of shapes {list(shapes)}; "
                            "bnn2q combines tensors of which one has the result's shape")
    return out
