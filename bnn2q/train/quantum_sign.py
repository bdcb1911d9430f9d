"""``QuantumSign``: a Larq input quantizer that measures quantum neurons (SPEC §2) while training.

It sits where Larq's ``ste_sign`` sits — the ``input_quantizer`` of the layer after a hidden
layer, reading that layer's batch-normalized output u — and returns one shot of the neurons'
measured spins y = 2s − 1 with P(s = 1) = p(u) from ``bnn2q.activations`` (the simulator's own
definition, evaluated with the TensorFlow backend)."""

from __future__ import annotations

import math

from .. import activations
from ..frontends.tf_env import import_tf
from .tf_backend import backend

tf, _keras, lq = import_tf()


@lq.utils.register_keras_custom_object
class QuantumSign(lq.quantizers.Quantizer):
    r"""One measurement shot of a layer of quantum neurons, with a straight-through gradient.

    Forward (training and inference alike): s ~ Bernoulli(p(u)) independently per neuron, with

        rotation:  p(u) = sin²(π σ_τ(u) / 2),   σ_τ(u) = 1 / (1 + e^(−u/τ)),
        ancilla:   p(u) = (1 − sin g)/2 + sin g · sin²(π σ_τ(u) / 2),

    and the output is the spin y = 2s − 1 ∈ {−1, +1}.

    Backward: straight-through on the expected spin m(u) = E[y | u] = 2p(u) − 1, i.e.
    the output is y + m(u) − stop_gradient(m(u)), so ∂y/∂u := ∂m/∂u = 2 ∂p/∂u — for rotation
    ∂m/∂u = (π/τ) sin(π σ_τ(u)) σ_τ(u)(1 − σ_τ(u)). At τ = 0, where p is a step with no useful
    gradient, it falls back to Larq's straight-through sign: m(u) = sin g · ste_sign(u)
    (∂m/∂u = sin g · 1[|u| ≤ 1]); for rotation (sin g = 1) the output is exactly ``ste_sign(u)``.

    Args:
        activation: ``"rotation"`` or ``"ancilla"``.
        quantumness: τ ≥ 0.
        g: ancilla coupling angle in [0, π/2].
    """

    precision = 1

    def __init__(self, activation: str = "rotation", quantumness: float = 0.0,
                 g: float = math.pi / 2, **kwargs):
        self.neuron = activations.get(activation, quantumness, g)
        super().__init__(**kwargs)

    def call(self, inputs):
        u = tf.convert_to_tensor(inputs)
        act = self.neuron
        if act.is_classical:
            return lq.quantizers.ste_sign(u)
        p = act.p_one(u, xp=backend())
        one = tf.ones_like(u)
        spins = tf.where(tf.random.uniform(tf.shape(u), dtype=u.dtype) < p, one, -one)
        if act.quantumness == 0.0:
            expected = getattr(act, "fidelity", 1.0) * lq.quantizers.ste_sign(u)
        else:
            expected = 2.0 * p - 1.0
        # spins + (m − m): exactly ±1 forward, ∂m/∂u backward.
        return spins + (expected - tf.stop_gradient(expected))

    def get_config(self):
        act = self.neuron
        return {
            **super().get_config(),
            "activation": act.name,
            "quantumness": act.quantumness,
            "g": getattr(act, "g", math.pi / 2),
        }
