"""The host side of the layerwise strategy: each layer's angles from the previous layer's bits,
shot by shot, deduplicated into batches of identical angle vectors."""

from __future__ import annotations

import numpy as np

from ..sim import next_layer_spins, preactivations


def sample(prog, first_angles: np.ndarray | None, shots: int, run_layer) -> np.ndarray:
    """uint8 outcomes of m, [shots, n_bits].

    ``run_layer(k, rows, counts)`` runs layer k's circuit ``counts[i]`` shots with angles
    ``rows[i]`` and returns a list of uint8 [counts[i], width] arrays. The shots of one angle
    vector are exchangeable, so sampling them together is exact: every shot still draws its
    layer from the angles its own previous bits set."""
    net, act = prog.network, prog.activation
    out = []
    prev = None
    for k, layer in enumerate(net.hidden):
        if k == 0:
            rows = np.zeros((1, 0)) if first_angles is None else first_angles[None, :]
            inverse, counts = np.zeros(shots, dtype=np.int64), np.array([shots])
        else:
            y = next_layer_spins(net.hidden[k - 1], prev)
            angles = np.asarray(act.angle(preactivations(layer, y)), dtype=np.float64)
            rows, inverse, counts = np.unique(angles, axis=0, return_inverse=True, return_counts=True)
            inverse = inverse.reshape(-1)
        results = run_layer(k, rows, counts)
        bits = np.empty((shots, layer.width), dtype=np.uint8)
        for i, block in enumerate(results):
            bits[inverse == i] = block
        out.append(bits)
        prev = bits
    return np.concatenate(out, axis=1)
