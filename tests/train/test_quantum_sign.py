"""QuantumSign and CarriedSign: one definition with the simulator — outcome frequencies (and,
for the carried state, consecutive-layer correlations), surrogate gradients, serialization."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.frontends.tf_env import import_tf
from bnn2q.train.quantum_model import quantum_copy, sign_quantized_layers
from bnn2q.train.quantum_sign import CarriedSign, CarriedState, QuantumSign

tf, keras, lq = import_tf()

SHOTS = 400
KNOBS = [
    dict(activation="rotation", quantumness=0.5),
    dict(activation="ancilla-reset", quantumness=0.3, g=0.6),
    dict(activation="ancilla-reset", quantumness=0.0, g=0.9),
    dict(activation="ancilla", quantumness=0.3, g=0.6),
    dict(activation="ancilla", quantumness=0.0, g=0.9, gradient="htanh"),
]


def neuron(activation, quantumness=0.0, g=math.pi / 2):
    return activations.get(activation, quantumness, g)


def keras_bits(model, x, knobs, shots):
    """Per hidden layer, bits [n, shots, width]: one forward pass over every sample repeated
    ``shots`` times (each row draws its own shot)."""
    tf.random.set_seed(1)
    quantum = quantum_copy(model, **knobs)
    logs = []
    for layer in sign_quantized_layers(quantum):
        q, log = layer.input_quantizer, []
        q.call = lambda inputs, call=q.call, log=log: log.append(call(inputs)) or log[-1]
        logs.append(log)
    quantum(np.repeat(x, shots, axis=0), training=False)
    return [(log[0].numpy().reshape(len(x), shots, -1) > 0).astype(np.uint8) for log in logs]


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
    sim_knobs = {k: v for k, v in knobs.items() if k != "gradient"}
    sim = bnn2q.simulate(digits_model, x, shots=SHOTS, seed=3, **sim_knobs)
    assert [b.shape for b in ours] == [b.shape for b in sim.bits]
    for layer, (a, b) in enumerate(zip(ours, sim.bits)):
        z = z_scores(a, b)
        # Independent binomials: z ~ N(0, 1) per element; fixed seeds keep this deterministic.
        assert np.max(np.abs(z)) < 5.0, f"hidden layer {layer}"
        assert 0.75 < np.mean(z**2) < 1.3, f"hidden layer {layer}: mean z² {np.mean(z**2):.3f}"
    pair = lambda bits: np.einsum("nsi,nsj->nsij", bits[0], bits[1]).astype(np.uint8).reshape(  # noqa: E731
        len(x), SHOTS, -1)
    z = z_scores(pair(ours), pair(sim.bits))  # joint firing of consecutive layers' neurons
    # 81,920 pair frequencies (sharing neurons, so not independent): the largest |z| is held to a
    # Bonferroni bound at a family-wise 1e-4 (≈ 6.0); the mean z² is the sharp check.
    bound = NormalDist().inv_cdf(1 - 1e-4 / (2 * z.size))
    assert np.max(np.abs(z)) < bound and 0.7 < np.mean(z**2) < 1.35, f"correlations: mean z² {np.mean(z**2):.3f}"


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
    for q in (QuantumSign(), QuantumSign("ancilla-reset", 0.0, math.pi / 2),
              QuantumSign(gradient="htanh"), CarriedSign(CarriedState(), 0, 2)):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(u)
            ours, larqs = q(u), lq.quantizers.ste_sign(u)
        np.testing.assert_array_equal(ours.numpy(), larqs.numpy())
        np.testing.assert_array_equal(tape.gradient(ours, u).numpy(), tape.gradient(larqs, u).numpy())


@pytest.mark.parametrize("knobs", [dict(activation="rotation", quantumness=0.7),
                                   dict(activation="ancilla-reset", quantumness=0.4, g=0.5)])
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


def test_ancilla_reset_at_tau_zero_scales_the_straight_through_gradient():
    g = 0.5
    u = tf.constant(np.linspace(-2.0, 2.0, 41, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(u)
        out = QuantumSign("ancilla-reset", 0.0, g)(u)
    expected = math.sin(g) * (np.abs(u.numpy()) <= 1.0)
    np.testing.assert_allclose(tape.gradient(out, u).numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("make", [lambda: QuantumSign("rotation", 0.7, gradient="htanh"),
                                  lambda: QuantumSign("ancilla-reset", 0.4, 0.5, gradient="htanh"),
                                  lambda: CarriedSign(CarriedState(), 0, 2, 0.4, 0.5, gradient="htanh")])
def test_htanh_gradient_is_the_indicator_of_small_preactivations(make):
    """The paper's estimator: ∂y/∂u = 1{|u| < 1}, whatever τ and g."""
    u = tf.constant(np.linspace(-2.05, 2.05, 42, dtype=np.float32)[None])
    with tf.GradientTape() as tape:
        tape.watch(u)
        out = make()(u)
    np.testing.assert_array_equal(tape.gradient(out, u).numpy(), (np.abs(u.numpy()) < 1.0).astype(np.float32))


def test_carried_state_flows_to_the_next_layer():
    """Neuron j of the second layer continues neuron j of the first: at g = 0 (no readout
    strength) a neuron rotated by π σ(u₀) and then π σ(u₁) − π r ends at the total angle."""
    state = CarriedState()
    first, second = CarriedSign(state, 0, 2, 0.5, 0.0), CarriedSign(state, 1, 2, 0.5, 0.0)
    shots = 4000  # one row per shot
    u0 = tf.constant(np.tile([[0.3, -0.4, 2.0]], (shots, 1)), dtype=tf.float32)
    u1 = tf.constant(np.tile([[0.1, 0.5, -1.0, 0.7]], (shots, 1)), dtype=tf.float32)
    tf.random.set_seed(4)
    first(u0)
    fired = (second(u1).numpy() > 0).sum(axis=0)
    act = neuron("ancilla", 0.5, 0.0)
    # g = 0 leaves the state alone (M_0 = M_1 = 1/√2); the readout is a fair coin, so
    # r is independent of the state and the average over r of the total angle decides.
    t0, t1 = np.asarray(act.angle(u0.numpy()[0])), np.asarray(act.angle(u1.numpy()[0]))
    p_carried = 0.5 * (np.sin((t0 + t1[:3]) / 2) ** 2 + np.sin((t0 + t1[:3] - np.pi) / 2) ** 2)
    p = np.append(p_carried, np.sin(t1[3] / 2) ** 2)  # the fourth neuron starts fresh
    se = np.sqrt(np.maximum(p * (1 - p), 1 / shots) / shots)
    assert np.all(np.abs(fired / shots - p) <= 5 * se), (fired / shots, p)


def test_serializes_as_a_registered_quantizer():
    q = QuantumSign("ancilla-reset", 0.25, 0.8)
    again = lq.quantizers.deserialize(lq.quantizers.serialize(q))
    assert isinstance(again, QuantumSign)
    assert again.get_config()["activation"] == "ancilla-reset"
    assert (again.neuron.quantumness, again.neuron.g) == (0.25, 0.8)
    layer = lq.layers.QuantDense(4, input_quantizer=q, kernel_quantizer="ste_sign")
    clone = lq.layers.QuantDense.from_config(layer.get_config())
    assert isinstance(clone.input_quantizer, QuantumSign)


def test_bad_knobs_are_one_line_errors():
    with pytest.raises(bnn2q.InputError, match="quantumness must be >= 0"):
        QuantumSign("rotation", -1.0)
    with pytest.raises(bnn2q.InputError, match=r"g must lie in \[0, pi/2\]"):
        QuantumSign("ancilla-reset", 0.0, 2.0)
    with pytest.raises(bnn2q.InputError, match="use CarriedSign"):
        QuantumSign("ancilla", 0.0, 1.0)
    with pytest.raises(bnn2q.InputError, match="unknown surrogate gradient 'ste'"):
        QuantumSign(gradient="ste")
