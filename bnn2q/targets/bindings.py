"""What the host binds into a program for one sample: the angles of its host-computed layers,
and the seed of a simulator that runs one sample at a time."""

from __future__ import annotations

import numpy as np

from ..host.forward import encoder_values


def first_angles(prog, x) -> np.ndarray:
    """The input angles of a dynamic program's host-computed layers for sample x, by bit of m."""
    circuit = prog.circuits[0]
    if not circuit.params:
        return np.zeros(0)
    net = prog.network
    values = encoder_values(net, x)
    angles = np.zeros(net.n_neurons)
    starts = np.cumsum([0] + net.widths)
    for k, layer in enumerate(net.hidden):
        if layer.preactivation in values:
            u = values[layer.preactivation].reshape(layer.width)
            angles[starts[k]: starts[k + 1]] = prog.activation.angle(u, strict=layer.strict)
    return angles


def draw_seed(seed) -> int:
    """The simulator seed a run with ``seed`` uses (one draw, so None stays random)."""
    return int(np.random.default_rng(seed).integers(2**31))
