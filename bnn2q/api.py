"""The public entry points (SPEC §5): load a model, simulate it, compile it, run it.

``load`` and ``simulate`` accept anything loadable (a path, a live Keras model, an ONNX
``ModelProto``) and noise by device name; the layers below them take loaded ``Network``s and
resolved noise, so each layer imports only the ones beneath it."""

from __future__ import annotations

import math
import os

from .frontends import load
from .ir import Network
from .sim import SimResult
from .sim import simulate as _simulate


def simulate(net, x, activation="rotation", quantumness: float = 0.0, g: float = math.pi / 2,
             shots: int = 100, seed: int | None = 0, progress: bool = False, keep_bits: bool = True,
             noise=None) -> SimResult:
    """Sample the quantum network's measurement outcomes (``bnn2q.sim.simulate``).

    Args:
        net: a Network from ``load``, or anything ``load`` accepts.
        x: samples, [n, *input_shape] or [n, n_inputs] (or one sample).
        activation: ``"rotation"``, ``"ancilla"`` (the paper's network: neuron qubits carry
            their state between layers) or ``"ancilla-reset"`` (the memoryless reduction).
        quantumness: τ ≥ 0 (classical at 0).
        g: ancilla coupling in [0, π/2] (classical at π/2).
        shots: shots per sample (≥ 1).
        seed: seed of the random bit generator; the same seed and arguments give the same outcomes.
        progress: show a progress bar on stderr.
        keep_bits: keep every layer's bits (``False``: ``bits`` is None and only the logits are
            stored — for very many samples × shots).
        noise: device noise folded into each neuron: None; a device name (``"fake_torino"``,
            ``"ibm:fake_torino"``) or a ``bnn2q-noise/1`` JSON file; a ``DeviceNoise``; or one
            ``bnn2q.noise.NeuronNoise`` per hidden layer.

    Returns:
        SimResult with per-layer bits, per-shot logits and predictions.
    """
    if isinstance(noise, (str, os.PathLike)):
        from .targets.ibm.noise import load as load_device

        noise = load_device(noise)
    return _simulate(load(net), x, activation, quantumness, g, shots, seed, progress, keep_bits, noise)


__all__ = ["load", "simulate", "Network", "SimResult"]
