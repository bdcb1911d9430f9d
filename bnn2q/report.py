"""Facts about a Network for people: layer table, neuron and qubit counts."""

from __future__ import annotations

from .ir import Conv2D, Network


def network_summary(net: Network) -> dict:
    """A JSON-ready description of ``net`` (what ``bnn2q info`` prints)."""
    rows = []
    for k, layer in enumerate(net.layers):
        role = "hidden (qubits)" if layer.hidden else "logits (host)"
        if layer.pool is not None:
            role += ", max-pooled sums"
        if layer.or_pool is not None:
            role += ", OR-pooled bits"
        rows.append({
            "name": layer.name,
            "kind": "conv2d" if isinstance(layer.linear, Conv2D) else "dense",
            "inputs": int(layer.n_in),
            "neurons": int(layer.width),
            "role": role,
        })
    widest = max(layer.width for layer in net.hidden)
    return {
        "source": net.source,
        "input_shape": list(net.input_shape),
        "real_input": bool(net.real_input),
        "layers": rows,
        "neurons": int(net.n_neurons),
        "classes": int(net.n_classes),
        "qubits": {
            "rotation_min": 1,
            "rotation_all": int(net.n_neurons),
            "ancilla_min": 2,
            "ancilla_all": int(2 * net.n_neurons),
            "widest_layer": int(widest),
        },
    }
