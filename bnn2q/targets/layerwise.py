"""The host side of the layerwise strategy: each layer's angles from the previous layers' bits,
shot by shot, deduplicated into batches of identical angle vectors.

With the ancilla activation the host also carries every neuron qubit's state: the circuit of
layer ℓ + 1 prepares neuron j afresh at the angle its qubit would have after R_y(θ − π r) —
exact, because each neuron's state is a pure single-qubit state once its ancilla is measured
(SPEC §2) — so the statistics are those of the carried network, though no qubit physically
carries anything between circuits."""

from __future__ import annotations

import numpy as np

from ..sim.host import HostPass
from ..sim.neurons import collapse, rotate


def sample(prog, x: np.ndarray | None, shots: int, run_layer) -> np.ndarray:
    """uint8 outcomes of m, [shots, n_bits].

    ``x`` is the sample (None when the program has it baked in and the host needs nothing
    else of it). ``run_layer(k, rows, counts)`` runs layer k's circuit ``counts[i]`` shots with
    angles ``rows[i]`` and returns a list of uint8 [counts[i], width] arrays. The shots of one
    angle vector are exchangeable, so sampling them together is exact: every shot still draws
    its layer from the angles its own earlier bits set."""
    net, act = prog.network, prog.activation
    host = HostPass(net, prog.sample if x is None else x)
    memory = act.memory and len(net.hidden) > 1
    state = None
    out = []
    for k, layer in enumerate(net.hidden):
        circuit = prog.circuits[k]
        u = host.preactivation(k) if circuit.params else None
        if u is None:
            rows, inverse, counts = np.zeros((1, 0)), np.zeros(shots, dtype=np.int64), np.array([shots])
            angles = None
        else:
            theta = np.asarray(act.angle(u, strict=layer.strict), dtype=np.float64)
            angles = np.broadcast_to(theta, (shots, layer.width))
            if memory:
                angles, prepared = _carried_angles(state, angles, layer.width)
            rows, inverse, counts = np.unique(angles, axis=0, return_inverse=True, return_counts=True)
            inverse = inverse.reshape(-1)
        results = run_layer(k, rows, counts)
        bits = np.empty((shots, layer.width), dtype=np.uint8)
        for i, block in enumerate(results):
            bits[inverse == i] = block
        if memory and k < len(net.hidden) - 1:
            c0, c1 = prepared if angles is not None else _fresh_prepared(prog, k, shots, layer.width)
            state = collapse(c0, c1, bits.astype(bool), act.kraus()) + (bits.astype(bool),)
        host.measured(k, bits)
        out.append(bits)
    return np.concatenate(out, axis=1)


def _carried_angles(state, theta: np.ndarray, width: int):
    """The angle each neuron qubit is prepared at, and its amplitudes (c₀, c₁) then."""
    shots = theta.shape[0]
    c0, c1, last = np.ones((shots, width)), np.zeros((shots, width)), np.zeros((shots, width), dtype=bool)
    if state is not None:
        keep = min(width, state[0].shape[1])
        c0[:, :keep], c1[:, :keep], last[:, :keep] = state[0][:, :keep], state[1][:, :keep], state[2][:, :keep]
    c0, c1 = rotate(c0, c1, last, np.cos(theta / 2), np.sin(theta / 2))
    return 2 * np.arctan2(c1, c0), (c0, c1)


def _fresh_prepared(prog, k: int, shots: int, width: int):
    """Amplitudes of a first layer whose angles are baked into its circuit."""
    from ..plan import FixedAngle

    theta = np.array([n.angle.theta if isinstance(n.angle, FixedAngle) else 0.0
                      for n in prog.plan.layers[k].neurons])
    return (np.broadcast_to(np.cos(theta / 2), (shots, width)), np.broadcast_to(np.sin(theta / 2), (shots, width)))
