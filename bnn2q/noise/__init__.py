"""Device noise for the built-in simulator, folded into each neuron's firing probability.

Every neuron is one qubit (or a neuron/ancilla pair) prepared at an angle θ, read out, and
measured before the next layer reads it; noise local to its gates, idling and readout
therefore acts on it alone, and its outcome law stays a degree-1 trigonometric polynomial in θ:

    P(bit = 1 | θ) = α + β cos θ + γ sin θ        (noiseless: α = 1/2, β = −f/2, γ = 0,
                                                    f = sin g for a weak readout, else 1).

``NeuronNoise`` holds (α, β, γ) for the neurons of one hidden layer. The ancilla activation is
simulated as IBM's layerwise programs run it: the host prepares each neuron afresh at the
angle its ideal carried state has, so the noise acts on that fresh preparation.

A device's noise — ``DeviceNoise`` (``device.py``), from a Qiskit backend's calibration or a
``bnn2q-noise/1`` JSON spec (``spec.py``) — gives the coefficients of every neuron on the
qubits the ``ibm`` target places it on (``fold.py`` folds the noise model into them);
``load("fake_torino" | "spec.json")`` makes one, and ``simulate(noise="fake_torino")`` works.
"""

from __future__ import annotations

import functools
import os
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
    (one per hidden layer), an object with ``neuron_noise(net, act)`` (a ``DeviceNoise``), or
    a name or file ``load`` takes."""
    if noise is None:
        return None
    if isinstance(noise, (str, os.PathLike)):
        noise = load(noise)
    if hasattr(noise, "neuron_noise"):
        noise = noise.neuron_noise(net, act)
    layers = list(noise)
    if len(layers) != len(net.hidden) or any(
            not isinstance(n, NeuronNoise) or n.alpha.shape != (layer.width,) for n, layer in zip(layers, net.hidden)):
        raise InputError("noise must give one NeuronNoise per hidden layer, with one entry per neuron")
    return layers


def load(source, max_qubits: int | None = None):
    """A ``DeviceNoise`` from a device name — ``fake_torino`` (qiskit-ibm-runtime's fake
    backends; ``ibm:`` may prefix it), or a real IBM device through a saved
    ``QiskitRuntimeService`` account — or from a ``bnn2q-noise/1`` JSON file."""
    source = os.fspath(source)
    if source.endswith(".json") or os.path.sep in source or os.path.exists(source):
        return DeviceNoise.from_spec(source, max_qubits)
    return _named(source, max_qubits)


@functools.lru_cache(maxsize=16)
def _named(name: str, max_qubits: int | None = None):
    """One DeviceNoise per device name and budget per process: the noise model takes seconds
    to build, and each keeps its folds."""
    if max_qubits is not None:
        return _named(name, None).with_budget(max_qubits)
    from ..targets.devices import get_backend

    return DeviceNoise.from_backend(get_backend(name))


from .device import DeviceNoise  # noqa: E402  (device.py imports NeuronNoise from here)

__all__ = ["NeuronNoise", "DeviceNoise", "ideal", "readout_flips", "resolve", "load"]
