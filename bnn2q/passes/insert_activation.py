"""InsertActivation: give every hidden neuron its angle rule (SPEC §2) — Network → QuantumNetwork."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import PassError, TargetError
from ..host.forward import encoder_values
from ..host.inputs import prepare_inputs
from ..ir import Network
from ..ir.controller import reachable
from ..ir.network import ENCODER
from ..ir.plan import FixedAngle, InputAngle, LinearAngle, QuantumLayer, QuantumNetwork, QuantumNeuron
from .base import Pass
from .linear_forms import linear_forms


@dataclass(frozen=True)
class InsertActivation(Pass):
    """Angles θ_j = activation.angle(u_j) for every hidden neuron.

    A layer whose pre-activation depends on the input alone (the first) is computed on the
    host: θ_j is a constant when ``inputs`` (one sample) is given, else a program input
    ``theta_<bit>``. Later layers: ``feed_forward="dynamic"`` gives θ_j as a ``LinearAngle``
    of earlier measured bits (``BuildLevelChains`` makes it arithmetic); ``"host"`` leaves it
    a program input the host computes per shot (the layerwise strategy).

    With the ancilla activation neuron j of layer ℓ + 1 carries the state of neuron j of
    layer ℓ (``carry``, dynamic only: the layerwise host re-prepares the state instead), and
    every layer but the last is read out weakly; with ancilla-reset every layer is.

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
        x = None
        if self.inputs is not None:
            xs = prepare_inputs(net, self.inputs)
            if xs.shape[0] != 1:
                raise PassError(f"inputs= takes one sample, got {xs.shape[0]}; compile one sample at a time")
            x = xs[0]
        dynamic = self.feed_forward == "dynamic"
        forms = linear_forms(net, x) if dynamic and _needs_feed_forward(net) else None
        aux = tuple(forms.aux) if forms is not None else ()
        encoded = encoder_values(net, x) if x is not None else None
        weak = act.min_qubits == 2
        layers, start = [], 0
        last = len(net.hidden) - 1
        for k, layer in enumerate(net.hidden):
            on_host = net.producer[layer.preactivation].stage == ENCODER
            angles = None
            if on_host and encoded is not None:
                u = encoded[layer.preactivation].reshape(layer.width)
                angles = np.asarray(act.angle(u, strict=layer.strict), dtype=np.float64)
            neurons = []
            for j in range(layer.width):
                bit = start + j
                if angles is not None:
                    rule = FixedAngle(float(angles[j]))
                elif on_host or not dynamic:
                    rule = InputAngle(f"theta_{bit}")
                else:
                    rule = _linear(forms.layers[k], j, layer)
                carry = None
                if act.memory and dynamic and k > 0 and j < net.hidden[k - 1].width:
                    carry = layers[-1].start + j
                neurons.append(QuantumNeuron(k, j, bit, rule, carry))
            readout = "weak" if weak and not (act.memory and k == last) else "projective"
            layers.append(QuantumLayer(layer.name, tuple(neurons), start, start + layer.width, readout))
            start += layer.width
        aux, layers = _compact(aux, layers)
        return QuantumNetwork(tuple(layers), act, net.source, memory=act.memory, aux=aux)


def _needs_feed_forward(net: Network) -> bool:
    return any(net.producer[layer.preactivation].stage != ENCODER for layer in net.hidden)


def _linear(layer_form, j: int, layer) -> LinearAngle:
    form = layer_form.form
    if form.input[j]:
        raise TargetError(
            f"layer {layer.name!r} reads the input as well as measured bits (a shortcut from the "
            "encoder): its feed-forward constant depends on the sample; compile with the sample "
            "baked in (inputs=, --sample) or use strategy='layerwise'"
        )
    terms = form.terms(j)
    fn = None if layer_form.fns is None else layer_form.fns[j]
    return LinearAngle(terms.bits, terms.constant, layer.strict, terms.aux, fn)


def _compact(aux: tuple, layers: list) -> tuple[tuple, list]:
    """The auxiliary values the angles read, directly or through others, renumbered in order
    (the analysis also defines values nothing reads), and the layers with their angles' indices
    renumbered alike."""
    need = reachable({t for layer in layers for n in layer.neurons if isinstance(n.angle, LinearAngle)
                      for t, _ in n.angle.aux}, aux)
    new = {t: i for i, t in enumerate(need)}
    remap = lambda terms: tuple((new[t], w) for t, w in terms)  # noqa: E731
    kept = tuple(replace(aux[t], args=tuple(replace(a, aux=remap(a.aux)) for a in aux[t].args)) for t in need)
    out = []
    for layer in layers:
        neurons = tuple(replace(n, angle=replace(n.angle, aux=remap(n.angle.aux)))
                        if isinstance(n.angle, LinearAngle) and n.angle.aux else n for n in layer.neurons)
        out.append(replace(layer, neurons=neurons))
    return kept, out
