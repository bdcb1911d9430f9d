"""The host side of the layerwise strategy: each layer's angles from the previous layers' bits,
for every sample and shot at once, deduplicated into batches of identical angle vectors.

With the ancilla activation the host also carries every neuron qubit's state: the circuit of
layer ℓ + 1 prepares neuron j afresh at the angle its qubit would have after R_y(θ − π r) —
exact, because each neuron's state is a pure single-qubit state once its ancilla is measured
(SPEC §2) — so the statistics are those of the carried network, though no qubit physically
carries anything between circuits. On a noisy device the noise therefore acts on that fresh
preparation, not on a physically carried state (``bnn2q.noise`` simulates exactly that)."""

from __future__ import annotations

import numpy as np

from ..host.forward import HostPass
from ..sim.neurons import collapse, rotate


def sample(prog, xs: np.ndarray | None, shots: int, run_layer, parametric: bool = False):
    """Every hidden layer's bits, uint8 [n · shots, width] (row i · shots + s: sample i, shot s),
    and the HostPass that read them (``host.logits()`` gives the logits next).

    ``xs`` holds the samples [n, n_inputs] (None: the program's baked-in one). ``run_layer(k,
    rows, counts)`` runs layer k's circuit ``counts[i]`` shots with angles ``rows[i]`` and
    returns a list of uint8 [counts[i], width] arrays. ``parametric``: every circuit takes its
    angles as parameters (ISA circuits), even a first layer whose sample was baked in. The
    shots of one angle vector are exchangeable, so sampling them together is exact: every
    shot still draws its layer from the angles its own earlier bits set."""
    net, act = prog.network, prog.activation
    if xs is None:
        xs = prog.sample[None]
    rows_total = xs.shape[0] * shots
    host = HostPass(net, np.repeat(xs, shots, axis=0))
    memory = act.memory and len(net.hidden) > 1
    state = None
    out = []
    for k, layer in enumerate(net.hidden):
        if parametric or prog.circuits[k].params:
            theta = np.asarray(act.angle(host.preactivation(k), strict=layer.strict), dtype=np.float64)
            angles = np.broadcast_to(theta, (rows_total, layer.width))
            if memory:
                angles, prepared = _carried_angles(state, angles, layer.width)
            rows, inverse, counts = np.unique(angles, axis=0, return_inverse=True, return_counts=True)
            inverse = inverse.reshape(-1)
        else:
            angles = None
            rows, inverse, counts = np.zeros((1, 0)), np.zeros(rows_total, dtype=np.int64), np.array([rows_total])
        results = run_layer(k, rows, counts)
        # Row i's shots fill the places where inverse == i, in order (a stable sort groups them).
        bits = np.empty((rows_total, layer.width), dtype=np.uint8)
        bits[np.argsort(inverse, kind="stable")] = np.concatenate(results, axis=0)
        if memory and k < len(net.hidden) - 1:
            c0, c1 = prepared if angles is not None else _fresh_prepared(prog, k, rows_total, layer.width)
            state = collapse(c0, c1, bits.astype(bool), act.kraus()) + (bits.astype(bool),)
        host.measured(k, bits)
        out.append(bits)
    return out, host


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
    from ..ir.plan import FixedAngle

    theta = np.array([n.angle.theta if isinstance(n.angle, FixedAngle) else 0.0
                      for n in prog.plan.layers[k].neurons])
    return (np.broadcast_to(np.cos(theta / 2), (shots, width)), np.broadcast_to(np.sin(theta / 2), (shots, width)))
