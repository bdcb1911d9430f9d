"""QuantumSign: one definition with the simulator — outcome frequencies, gradient, serialization."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.frontends.tf_env import import_tf
from bnn2q.train.quantum_model import quantum_copy, sign_quantized_layers
from bnn2q.train.quantum_sign import QuantumSign

tf, keras, lq = import_tf()

SHOTS = 400
KNOBS = [
    dict(activation="rotation", quantumness=0.5),
    dict(activation="ancilla", quantumness=0.3, g=0.6),
    dict(activation="ancilla", quantumness=0.0, g=0.9),
]


def neuron(activation, quantumness=0.0, g=math.pi / 2):
    return activations.get(activation, quantumness, g)


class RecordingSign(QuantumSign):
    """QuantumSign that keeps each shot's spins (the model runs eagerly in these tests)."""

    def __init__(self, *args, log=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.log = log

    def call(self, inputs):
        out = super().call(inputs)
        self.log.append(out.numpy())
        return out


def keras_bits(model, x, knobs, shots):
    """Per hidden layer, bits [n, shots, width] of ``shots`` eager forward passes."""
    tf.random.set_seed(1)
    quantum = quantum_copy(model, **knobs)
    logs = []
    for layer in sign_quantized_layers(quantum):
        logs.append([])
        layer.input_quantizer = RecordingSign(**knobs, log=logs[-1])
    for _ in range(shots):
        quantum(x, training=False)
    return [(np.stack(log, axis=1) > 0).astype(np.uint8) for log in logs]


def z_scores(a, b):
    """Two-sample binomial z-scores of per-element bit frequencies (a, b: [n, shots, width])."""
    fa, fb = a.mean(axis=1), b.mean(axis=1)
    pooled = (fa + fb) / 2
    se = np.sqrt(pooled * (1 - pooled) * (1 / a.shape[1] + 1 / b.shape[1]))
    informative = se > 0
    assert np.all(fa[~informative] == fb[~informative])  # both certain: must agree exactly
    return (fa - fb)[informative] / se[informative]


@pytest.mark.parametrize("knobs", KNOBS, ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_outcome_frequencies_match_the_simulator(digits_model, digits, knobs):
    x = digits.x_test[:40]
    ours = keras_bits(digits_model, x, knobs, SHOTS)
    sim = bnn2q.simulate(digits_model, x, shots=SHOTS, seed=3, **knobs)
    assert [b.shape for b in ours] == [b.shape for b in sim.bits]
    for layer, (a, b) in enumerate(zip(ours, sim.bits)):
        z = z_scores(a, b)
        # Independent binomials: z ~ N(0, 1) per element; fixed seeds keep this deterministic.
        assert np.max(np.abs(z)) < 5.0, f"hidden layer {layer}"
        assert 0.75 < np.mean(z**2) < 1.3, f"hidden layer {layer}: mean z² {np.mean(z**2):.3f}"


def test_first_layer_frequencies_equal_p_one(digits_model, digits):
    """The first hidden layer's angles are fixed by x: frequencies estimate p_one(u) itself."""
    knobs = dict(activation="rotation", quantumness=0.5)
    x = digits.x_test[:40]
    bits = keras_bits(digits_model, x, knobs, SHOTS)[0]
    u = keras.Model(digits_model.input, digits_model.layers[2].output)(x, training=False).numpy()
    p = neuron(**knobs).p_one(u)
    # Binomial s.e., floored at one count: near p = 0 or 1 the normal tail is too thin.
    se = np.sqrt(np.maximum(p * (1 - p), 1 / SHOTS) / SHOTS)
    assert np.all(np.abs(bits.mean(axis=1) - p) <= 5 * se + 1e-9)


def test_classical_value_is_larq_ste_sign():
    u = tf.constant(np.linspace(-2.0, 2.0, 41, dtype=np.float32))
    for q in (QuantumSign(), QuantumSign("ancilla", 0.0, math.pi / 2)):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(u)
            ours, larqs = q(u), lq.quantizers.ste_sign(u)
        np.testing.assert_array_equal(ours.numpy(), larqs.numpy())
        np.testing.assert_array_equal(tape.gradient(ours, u).numpy(), tape.gradient(larqs, u).numpy())


@pytest.mark.parametrize("knobs", [dict(activation="rotation", quantumness=0.7),
                                   dict(activation="ancilla", quantumness=0.4, g=0.5)])
def test_gradient_is_that_of_the_expected_spin(knobs):
    """∂y/∂u = ∂(2p − 1)/∂u with p the simulator's p_one (finite differences in float64)."""
    u = np.linspace(-3.0, 3.0, 61)
    with tf.GradientTape() as tape:
        ut = tf.constant(u)
        tape.watch(ut)
        spins = QuantumSign(**knobs, dtype="float64")(ut)
    assert set(np.unique(spins.numpy())) <= {-1.0, 1.0}
    p = neuron(**knobs).p_one
    h = 1e-6
    expected = (2 * p(u + h) - 2 * p(u - h)) / (2 * h)
    np.testing.assert_allclose(tape.gradient(spins, ut).numpy(), expected, rtol=1e-5, atol=1e-8)


def test_ancilla_at_tau_zero_scales_the_straight_through_gradient():
    g = 0.5
    u = tf.constant(np.linspace(-2.0, 2.0, 41, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(u)
        out = QuantumSign("ancilla", 0.0, g)(u)
    expected = math.sin(g) * (np.abs(u.numpy()) <= 1.0)
    np.testing.assert_allclose(tape.gradient(out, u).numpy(), expected, rtol=1e-6)


def test_serializes_as_a_registered_quantizer():
    q = QuantumSign("ancilla", 0.25, 0.8)
    again = lq.quantizers.deserialize(lq.quantizers.serialize(q))
    assert isinstance(again, QuantumSign)
    assert again.get_config()["activation"] == "ancilla"
    assert (again.neuron.quantumness, again.neuron.g) == (0.25, 0.8)
    layer = lq.layers.QuantDense(4, input_quantizer=q, kernel_quantizer="ste_sign")
    clone = lq.layers.QuantDense.from_config(layer.get_config())
    assert isinstance(clone.input_quantizer, QuantumSign)


def test_bad_knobs_are_one_line_errors():
    with pytest.raises(bnn2q.InputError, match="quantumness must be >= 0"):
        QuantumSign("rotation", -1.0)
    with pytest.raises(bnn2q.InputError, match=r"g must lie in \[0, pi/2\]"):
        QuantumSign("ancilla", 0.0, 2.0)
