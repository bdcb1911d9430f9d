"""Constant folding for the ONNX frontend: initializers, ``Constant`` nodes and every node
whose inputs are all constants (e.g. a sign quantizer applied to latent weights).

Standard ops run on ONNX's reference evaluator at the model's opset; QONNX ``BipolarQuant``
runs on its specification, y = scale · (x ≥ 0 ? +1 : −1). Before a node is evaluated, the
bytes of its outputs (shapes inferred from its constant inputs) are checked against the memory
budget (``onnx_sizes``)."""

from __future__ import annotations

import numpy as np

from ..errors import FrontendError

#: Domains whose ``BipolarQuant`` bnn2q understands (QONNX, FINN and Brevitas exports).
QONNX_DOMAINS = ("qonnx.custom_op.general", "finn.custom_op.general", "finn", "onnx.brevitas")
#: Quantizers with more than one bit: no single qubit can represent their output.
#: Ops whose evaluation runs a subgraph (any number of times): never folded.
CONTROL_FLOW = ("Loop", "Scan", "If", "SequenceMap")
MULTI_BIT_OPS = ("Quant", "IntQuant", "FloatQuant", "Trunc", "MultiThreshold",
                 "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear")


def bipolar_quant(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """QONNX BipolarQuant: scale · where(x ≥ 0, +1, −1) (so 0 maps to +scale, like Larq)."""
    return np.where(np.asarray(x) >= 0, 1.0, -1.0) * np.asarray(scale, dtype=np.float64)


def _quant(node, label: str, inputs) -> np.ndarray:
    """QONNX Quant on constants (multi-bit weights are real weights on a grid)."""
    from .onnx_values import attr

    if len(inputs) != 4 or any(v is None for v in inputs):
        raise FrontendError(f"node {label}: Quant needs inputs (x, scale, zeropt, bitwidth)")
    x, scale, zero, bits = (np.asarray(v, dtype=np.float64) for v in inputs)
    b, narrow = int(bits.reshape(-1)[0]), int(attr(node, "narrow", 0))
    low, high = ((-(2 ** (b - 1)) + narrow, 2 ** (b - 1) - 1) if int(attr(node, "signed", 1))
                 else (0, 2 ** b - 1 - narrow))
    rounding = {"ROUND": np.round, "FLOOR": np.floor, "CEIL": np.ceil}.get(str(attr(node, "rounding_mode", "ROUND")))
    if rounding is None or bits.size != 1 or not np.all(scale > 0):
        raise FrontendError(f"node {label}: Quant with rounding {attr(node, 'rounding_mode', 'ROUND')!r}, bit "
                            f"width {bits.tolist()} and scale > 0 required")
    return (np.clip(rounding(x / scale + zero), low, high) - zero) * scale


def node_label(node) -> str:
    """How error messages name a node: its name, else its op and first output."""
    return repr(node.name) if node.name else f"{node.op_type} -> {node.output[0]!r}"


def fold_constant_node(node, consts: dict, opset: int) -> list[np.ndarray]:
    """Evaluate ``node`` whose inputs are all in ``consts``; returns its outputs."""
    label = node_label(node)
    inputs = [consts[name] if name else None for name in node.input]
    if node.op_type in ("Quant", "IntQuant") and node.domain in QONNX_DOMAINS:
        return [_quant(node, label, inputs)]
    if node.op_type in MULTI_BIT_OPS:
        raise FrontendError(
            f"node {label}: {node.op_type} on constants is not supported; bnn2q reads weights quantized by "
            "Quant, BipolarQuant or a sign, or real weights"
        )
    if node.op_type == "BipolarQuant" and node.domain in QONNX_DOMAINS:
        if len(inputs) != 2 or inputs[1] is None:
            raise FrontendError(f"node {label}: BipolarQuant needs inputs (x, scale)")
        return [bipolar_quant(inputs[0], inputs[1])]
    if node.domain not in ("", "ai.onnx"):
        raise FrontendError(
            f"node {label}: op {node.domain}.{node.op_type} is not supported on constants"
        )
    if node.op_type in CONTROL_FLOW:
        raise FrontendError(f"node {label}: {node.op_type} on constants is not folded; bnn2q reads "
                            "feed-forward graphs (export the model with its loops unrolled)")
    from onnx.reference import ReferenceEvaluator

    from .onnx_sizes import check_outputs

    check_outputs(node, {name: np.asarray(v) for name, v in zip(node.input, inputs) if name}, opset, label)

    try:
        feeds = {name: value for name, value in zip(node.input, inputs) if name}
        outputs = ReferenceEvaluator(node, opsets={"": opset}).run(None, feeds)
    except FrontendError:
        raise
    except Exception as exc:  # the reference evaluator raises many types for bad nodes
        raise FrontendError(
            f"node {label}: cannot evaluate {node.op_type} on its constant inputs "
            f"({type(exc).__name__}: {_first_line(exc)})"
        ) from None
    return [np.asarray(out) for out in outputs]


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= 160 else line[:157] + "..."
