"""Noise on a neuron's readout for the built-in simulator, folded into its firing probability.

Every neuron is one qubit (or a neuron/ancilla pair) prepared at an angle θ, read out, and
measured before the next layer reads it; noise local to its gates, idling and readout
therefore acts on it alone, and its outcome law stays a degree-1 trigonometric polynomial in θ:

    P(bit = 1 | θ) = α + β cos θ + γ sin θ        (noiseless: α = 1/2, β = −f/2, γ = 0,
                                                    f = sin g for a weak readout, else 1).

``NeuronNoise`` holds (α, β, γ) for the neurons of one hidden layer. The ancilla activation is
simulated as IBM's layerwise programs run it: the host prepares each neuron afresh at the
angle its ideal carried state has, so the noise acts on that fresh preparation.

A device's coefficients come from its calibration: ``bnn2q.targets.ibm.noise.DeviceNoise``
folds an IBM device's noise model (or a ``bnn2q-noise/1`` spec) into each neuron on the qubits
the ``ibm`` target places it on; ``bnn2q.simulate(noise="fake_torino")`` resolves names there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError


@dataclass(frozen=True, eq=False)
class NeuronNoise:
    """P(bit = 1 | θ) = alpha + beta cos θ + gamma sin θ per neuron of one hidden layer."""

    alpha: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray

    def __post_init__(self):
        for name in ("alpha", "beta", "gamma"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))

    def p_one(self, cos_theta, sin_theta):
        return self.alpha + self.beta * cos_theta + self.gamma * sin_theta


def ideal(net, act) -> list[NeuronNoise]:
    """The noiseless coefficients (a check: they reproduce the activation's own probabilities)."""
    out = []
    last = len(net.hidden) - 1
    for k, layer in enumerate(net.hidden):
        f = 1.0 if act.fidelity == 1.0 or (act.memory and k == last) else act.fidelity
        w = layer.width
        out.append(NeuronNoise(np.full(w, 0.5), np.full(w, -f / 2), np.zeros(w)))
    return out


def readout_flips(net, act, p01: float, p10: float) -> list[NeuronNoise]:
    """The activation's own readout, then a classical flip: 0 → 1 with p01, 1 → 0 with p10."""
    if not (0 <= p01 <= 1 and 0 <= p10 <= 1):
        raise InputError(f"readout flip probabilities must lie in [0, 1], got {p01}, {p10}")
    keep = 1.0 - p01 - p10
    return [NeuronNoise(p01 + keep * n.alpha, keep * n.beta, keep * n.gamma) for n in ideal(net, act)]


def resolve(noise, net, act) -> list[NeuronNoise] | None:
    """The per-layer coefficients for ``noise``: None (noiseless), a list of ``NeuronNoise``
    (one per hidden layer), or an object with ``neuron_noise(net, act)`` (a device's noise,
    e.g. ``DeviceNoise``)."""
    if noise is None:
        return None
    if isinstance(noise, (str, bytes)) or hasattr(noise, "__fspath__"):
        raise InputError(f"noise={noise!r} names a device or a spec file: bnn2q.simulate resolves those "
                         "(bnn2q.targets.ibm.noise.load makes the DeviceNoise)")
    if hasattr(noise, "neuron_noise"):
        noise = noise.neuron_noise(net, act)
    layers = list(noise)
    if len(layers) != len(net.hidden) or any(
            not isinstance(n, NeuronNoise) or n.alpha.shape != (layer.width,) for n, layer in zip(layers, net.hidden)):
        raise InputError("noise must give one NeuronNoise per hidden layer, with one entry per neuron")
    return layers


__all__ = ["NeuronNoise", "ideal", "readout_flips", "resolve"]
