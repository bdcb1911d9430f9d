"""Larq input quantizers that measure quantum neurons (SPEC §2) while training.

They sit where Larq's ``ste_sign`` sits — the ``input_quantizer`` of the layer after a hidden
layer, reading that layer's pre-activation u — and return one shot of the neurons' measured
spins y = 2s − 1, with the probabilities of ``bnn2q.activations`` (the simulator's own
definitions, evaluated with the TensorFlow backend):

- ``QuantumSign``: rotation and ancilla-reset, each neuron a Bernoulli draw with P(s = 1) = p(u);
- ``CarriedSign``: the ancilla activation, whose neuron qubits carry their weakly measured state
  from one hidden layer to the next: the quantizers of one model share a ``CarriedState`` that
  each forward pass threads through them in order.

Surrogate gradients (the forward pass is always the measured spin):

- ``"expected"``: straight-through on the expected spin m = E[y | u] = 2p − 1, i.e. the output is
  y + m − stop_gradient(m), so ∂y/∂u := ∂m/∂u (for rotation (π/τ) sin(π σ_τ(u)) σ_τ(u)(1 − σ_τ(u)));
  at τ = 0, where p is a step, it falls back to Larq's ``ste_sign``: m = sin g · ste_sign(u);
- ``"htanh"``: the paper's hard-tanh straight-through estimator, ∂y/∂u := 1{|u| < 1},
  independent of τ and g.
"""

from __future__ import annotations

import math

from .. import activations
from ..errors import InputError
from ..frontends.tf_env import import_tf
from .tf_backend import backend

tf, _keras, lq = import_tf()

GRADIENTS = ("expected", "htanh")


def check_gradient(gradient: str) -> str:
    if gradient not in GRADIENTS:
        raise InputError(f"unknown surrogate gradient {gradient!r}: use one of {', '.join(GRADIENTS)}")
    return gradient


def _straight_through(spins, u, expected, gradient: str):
    """Exactly ``spins`` forward; the surrogate's derivative backward."""
    if gradient == "htanh":
        clipped = tf.clip_by_value(u, -1.0, 1.0)
        return spins + (clipped - tf.stop_gradient(clipped))
    return spins + (expected - tf.stop_gradient(expected))


def _spins(p, like):
    one = tf.ones_like(like)
    return tf.where(tf.random.uniform(tf.shape(like), dtype=like.dtype) < p, one, -one)


@lq.utils.register_keras_custom_object
class QuantumSign(lq.quantizers.Quantizer):
    r"""One measurement shot of a layer of quantum neurons without memory.

    Forward (training and inference alike): s ~ Bernoulli(p(u)) independently per neuron, with

        rotation:       p(u) = sin²(π σ_τ(u) / 2),   σ_τ(u) = 1 / (1 + e^(−u/τ)),
        ancilla-reset:  p(u) = (1 − sin g)/2 + sin g · sin²(π σ_τ(u) / 2),

    and the output is the spin y = 2s − 1 ∈ {−1, +1}. Backward: the module docstring's
    surrogate. For rotation at τ = 0 it is exactly ``ste_sign(u)``.

    Args:
        activation: ``"rotation"`` or ``"ancilla-reset"``.
        quantumness: τ ≥ 0.
        g: ancilla coupling angle in [0, π/2].
        gradient: ``"expected"`` or ``"htanh"``.
    """

    precision = 1

    def __init__(self, activation: str = "rotation", quantumness: float = 0.0,
                 g: float = math.pi / 2, gradient: str = "expected", **kwargs):
        self.neuron = activations.get(activation, quantumness, g)
        if self.neuron.memory:
            raise InputError("the ancilla activation carries state between layers: use CarriedSign "
                             "(quantum_copy does)")
        self.gradient = check_gradient(gradient)
        super().__init__(**kwargs)

    def call(self, inputs):
        u = tf.convert_to_tensor(inputs)
        act = self.neuron
        if act.is_classical:
            return lq.quantizers.ste_sign(u)
        p = act.p_one(u, xp=backend())
        if act.quantumness == 0.0:
            expected = act.fidelity * lq.quantizers.ste_sign(u)
        else:
            expected = 2.0 * p - 1.0
        return _straight_through(_spins(p, u), u, expected, self.gradient)

    def get_config(self):
        act = self.neuron
        return {**super().get_config(), "activation": act.name, "quantumness": act.quantumness,
                "g": getattr(act, "g", math.pi / 2), "gradient": self.gradient}


class CarriedState:
    """The neuron qubits' state during one forward pass: amplitudes (c₀, c₁) and last outcome
    of each neuron, handed from one ``CarriedSign`` to the next (stop-gradient: the surrogate
    differentiates each layer's own rotation only)."""

    def __init__(self):
        self.value = None


class CarriedSign(lq.quantizers.Quantizer):
    """Hidden layer ``position`` (of ``count``) of the ancilla activation (see the module
    docstring): R_y(θ(u) − π r) on the carried state, then a weak readout at g — or a
    projective one on the last hidden layer — and the collapse the outcome implies.

    Neuron j continues neuron j of the layer before; a wider layer's extra neurons start in
    |0⟩. Every layer's units are flattened channels-last, like bnn2q's register m."""

    precision = 1

    def __init__(self, state: CarriedState, position: int, count: int, quantumness: float = 0.0,
                 g: float = math.pi / 2, gradient: str = "expected", **kwargs):
        self.neuron = activations.get("ancilla", quantumness, g)
        self.state, self.position, self.count = state, position, count
        self.gradient = check_gradient(gradient)
        super().__init__(**kwargs)

    def call(self, inputs):
        u = tf.convert_to_tensor(inputs)
        act = self.neuron
        width = 1
        for d in u.shape[1:]:
            width *= int(d)
        flat = tf.reshape(u, [-1, width])
        c0, c1, last = self._inherited(flat, width)
        half = act.angle(flat, xp=backend()) / 2
        cos_h, sin_h = tf.cos(half), tf.sin(half)
        cos_a = tf.where(last, sin_h, cos_h)  # R_y(θ − π r): half angle θ/2 − π r/2
        sin_a = tf.where(last, -cos_h, sin_h)
        new0 = c0 * cos_a - c1 * sin_a
        new1 = c0 * sin_a + c1 * cos_a
        projective = self.position == self.count - 1
        f = 1.0 if projective else act.fidelity
        p = (1.0 - f) / 2.0 + f * tf.square(new1)
        spins = _spins(p, flat)
        if not projective:
            (k00, k01), (k10, k11) = act.kraus()
            fired = spins > 0
            post0 = new0 * tf.where(fired, k10, k00)
            post1 = new1 * tf.where(fired, k11, k01)
            norm = tf.sqrt(tf.square(post0) + tf.square(post1))
            self.state.value = tuple(tf.stop_gradient(v) for v in (post0 / norm, post1 / norm)) + (fired,)
        expected = 2.0 * p - 1.0 if act.quantumness > 0 else f * lq.quantizers.ste_sign(flat)
        return tf.reshape(_straight_through(spins, flat, expected, self.gradient), tf.shape(u))

    def _inherited(self, flat, width):
        """(c₀, c₁, last) for this layer's neurons: the previous layer's for j below its width."""
        fresh0, fresh1 = tf.ones_like(flat), tf.zeros_like(flat)
        fresh_last = tf.zeros_like(flat, dtype=tf.bool)
        if self.position == 0 or self.state.value is None:
            return fresh0, fresh1, fresh_last
        c0, c1, last = self.state.value
        keep = min(width, c0.shape[-1])
        pad = [[0, 0], [0, width - keep]]
        return (tf.pad(c0[:, :keep], pad, constant_values=1.0), tf.pad(c1[:, :keep], pad),
                tf.pad(last[:, :keep], pad, constant_values=False))

    def get_config(self):
        return {**super().get_config(), "position": self.position, "count": self.count,
                "quantumness": self.neuron.quantumness, "g": self.neuron.g, "gradient": self.gradient}
