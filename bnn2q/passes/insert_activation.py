"""InsertActivation: give every hidden neuron its angle rule (SPEC §2) — Network → QuantumNetwork."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import PassError
from ..ir import Network
from ..plan import FixedAngle, InputAngle, LevelChain, QuantumLayer, QuantumNetwork, QuantumNeuron
from ..sim.inputs import first_layer_inputs, prepare_inputs
from ..sim import preactivations
from .base import Pass


@dataclass(frozen=True)
class InsertActivation(Pass):
    """Angles θ_j = activation.angle(u_j) for every hidden neuron.

    First layer: z_j = Σ_i W_ji x_i is real and computed on the host, so θ_j is a constant when
    ``inputs`` (one sample) is given, else a program input ``theta_<bit>``.
    Later layers: ``feed_forward="dynamic"`` tabulates θ over the integer levels of
    z_j = Σ_i W_ji y_i of the previous layer's measured bits (a ``LevelChain``, exact for any
    angle map); ``feed_forward="host"`` leaves θ_j a program input the host computes per shot
    (the layerwise strategy).

    Args:
        activation: an object from ``bnn2q.activations.get``.
        inputs: one sample to bake in, or None.
        feed_forward: ``"dynamic"`` or ``"host"``.
    """

    activation: object = None
    inputs: np.ndarray | None = field(default=None, compare=False)
    feed_forward: str = "dynamic"
    name = "insert-activation"
    accepts = (Network,)
    returns = (QuantumNetwork,)

    def run(self, net: Network) -> QuantumNetwork:
        act = self.activation
        first = None
        if self.inputs is not None:
            x = prepare_inputs(net, self.inputs)
            if x.shape[0] != 1:
                raise PassError(f"inputs= takes one sample, got {x.shape[0]}; compile one sample at a time")
            first = np.asarray(act.angle(preactivations(net.hidden[0], first_layer_inputs(net, x))[0]))
        layers, start = [], 0
        for k, layer in enumerate(net.hidden):
            neurons = []
            for j in range(layer.width):
                bit = start + j
                if k == 0 and first is not None:
                    rule = FixedAngle(float(first[j]))
                elif k == 0 or self.feed_forward == "host":
                    rule = InputAngle(f"theta_{bit}")
                else:
                    rule = _chain(act, net, k, j, layers[-1].start)
                neurons.append(QuantumNeuron(k, j, bit, rule))
            layers.append(QuantumLayer(layer.name, tuple(neurons), start, start + layer.width))
            start += layer.width
        return QuantumNetwork(tuple(layers), act, net.source)


def _chain(act, net: Network, k: int, j: int, prev_start: int) -> LevelChain:
    """The exact level chain of neuron j of hidden layer k (k ≥ 1)."""
    layer, prev = net.hidden[k], net.hidden[k - 1]
    if layer.pool is not None or prev.or_pool is not None:
        raise PassError(
            f"layer {layer.name!r} pools (max over sums or OR of bits), which feed-forward level "
            "chains do not express; use the layerwise strategy"
        )
    row = layer.matrix()[j]
    terms = tuple((prev_start + i, int(w)) for i, w in enumerate(row) if w != 0)
    n = len(terms)
    levels = tuple(range(-n, n + 1, 2))
    u = layer.scale[j] * np.array(levels, dtype=np.float64) + layer.offset[j]
    exact = tuple(float(t) for t in np.asarray(act.angle(u)))
    steps = tuple(
        (levels[i], exact[i] - exact[i - 1]) for i in range(1, len(levels)) if exact[i] != exact[i - 1]
    )
    return LevelChain(terms, levels, exact, exact[0], steps)
