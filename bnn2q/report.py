"""Facts about a Network for people: layer table, neuron and qubit counts."""

from __future__ import annotations

from .ir import LINEAR_OPS, Affine, MaxPool2D, Network
from .ir.network import ENCODER
from .ir.ops import Conv2D


def network_summary(net: Network) -> dict:
    """A JSON-ready description of ``net`` (what ``bnn2q info`` prints)."""
    rows = []
    for k, layer in enumerate(net.hidden):
        linear = _feeding_linear(net, layer.preactivation)
        on_host = net.producer[layer.preactivation].stage == ENCODER
        rows.append({
            "name": layer.name,
            "kind": "graph" if linear is None else ("conv2d" if isinstance(linear, Conv2D) else "dense"),
            "kernel": "mixed" if linear is None else _kernel(net, linear, layer.preactivation),
            "neurons": int(layer.width),
            "shape": list(layer.shape),
            "role": "hidden (qubits), angles from the input" if on_host else "hidden (qubits), angles fed forward",
        })
    host = {"encoder": _ops(net, "encoder"), "head": _ops(net, "head")}
    widest = max(net.widths)
    return {
        "source": net.source,
        "input_shape": list(net.input_shape),
        "layers": rows,
        "host": host,
        "neurons": int(net.n_neurons),
        "classes": int(net.n_classes),
        "qubits": {
            "rotation_min": 1,
            "rotation_all": int(net.n_neurons),
            "ancilla_reset_min": 2,
            "ancilla_reset_all": int(2 * net.n_neurons),
            "ancilla_min": int(widest + 1) if len(net.hidden) > 1 else 1,
            "ancilla_all": int(widest + net.n_neurons - net.hidden[-1].width) if len(net.hidden) > 1 else int(net.n_neurons),
            "widest_layer": int(widest),
        },
    }


def _feeding_linear(net: Network, value: str):
    """The dense/convolution a pre-activation comes from through affine and pooling, if any."""
    while value in net.producer:
        step = net.producer[value]
        if isinstance(step.op, LINEAR_OPS):
            return step.op
        if not isinstance(step.op, (Affine, MaxPool2D)) or len(step.inputs) != 1:
            return None
        value = step.inputs[0]
    return None


def _kernel(net: Network, linear, value: str) -> str:
    """binary (±1), scaled-binary (±scale per unit: a scale or batch-norm after ±1) or real."""
    kind = linear.kernel_kind
    if kind == "real":
        return "real"
    scaled = any(isinstance(net.producer[v].op, Affine) for v in _chain(net, value, linear))
    return "scaled-binary" if scaled else "binary"


def _chain(net, value, linear):
    out = []
    while value in net.producer and net.producer[value].op is not linear:
        out.append(value)
        value = net.producer[value].inputs[0]
    return out


def _ops(net: Network, stage: str) -> list[str]:
    return [f"{type(s.op).__name__}:{s.op.name}" for s in net.stage(stage)]
