"""SPEC §3: at τ = 0 and g = π/2 the simulator is the classical BNN, exactly, on every sample."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from tests.conftest import train_dense

pytestmark = pytest.mark.xdist_group("larq-models")

# (kernel_quantizer, input_quantizer, use_bias, bn_scale, negate_gammas)
VARIANTS = {
    "ste_sign": ("ste_sign", "ste_sign", False, False, False),
    "approx_sign+bias": ("approx_sign", "approx_sign", True, False, False),
    "swish_sign+bn_scale": ("swish_sign", "swish_sign", False, True, False),
    "magnitude_aware+negative_bn": ("magnitude_aware_sign", "ste_sign", True, True, True),
}


def _negate_half_the_gammas(model):
    """Flip the sign of γ for every other channel: negative effective BN scales."""
    import tensorflow as tf

    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization) and layer.scale:
            gamma = layer.gamma.numpy()
            gamma[::2] *= -1.0
            layer.gamma.assign(gamma)


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant_model(request, digits):
    kq, iq, bias, bn_scale, negate = VARIANTS[request.param]
    model = train_dense(digits, hidden=(48, 24), epochs=3, kernel_quantizer=kq,
                        input_quantizer=iq, use_bias=bias, bn_scale=bn_scale)
    if negate:
        _negate_half_the_gammas(model)
    return model


def _hidden_signs(model, x):
    """The Keras model's hidden bits: sign of each hidden batch-norm output (Larq sign(0)=+1)."""
    import tensorflow as tf

    bns = [l for l in model.layers if isinstance(l, tf.keras.layers.BatchNormalization)][:-1]
    probe = tf.keras.Model(model.inputs, [l.output for l in bns])
    return [(np.asarray(u) >= 0).astype(np.uint8) for u in probe.predict(x, verbose=0)]


def test_rotation_tau0_equals_model_on_every_digits_sample(variant_model, digits_all):
    x, _ = digits_all
    expected = variant_model.predict(x, verbose=0).argmax(axis=1)
    assert len(np.unique(expected)) > 5, "the model should not be constant"
    sim = bnn2q.simulate(variant_model, x, shots=3, seed=1)
    np.testing.assert_array_equal(sim.predictions, expected)
    for got, want in zip(sim.bits, _hidden_signs(variant_model, x)):
        np.testing.assert_array_equal(got, np.broadcast_to(want[:, None, :], got.shape))


def test_ancilla_at_half_pi_equals_model(variant_model, digits_all):
    x, _ = digits_all
    expected = variant_model.predict(x, verbose=0).argmax(axis=1)
    sim = bnn2q.simulate(variant_model, x, activation="ancilla", g=math.pi / 2, shots=3, seed=2)
    np.testing.assert_array_equal(sim.predictions, expected)


def test_every_shot_identical_at_classical_values(digits_model, digits):
    for kwargs in ({}, {"activation": "ancilla", "g": math.pi / 2}):
        sim = bnn2q.simulate(digits_model, digits.x_test, shots=16, seed=3, **kwargs)
        for bits in sim.bits:
            assert np.all(bits == bits[:, :1, :])
        assert np.all(sim.logits == sim.logits[:, :1, :])


def test_saved_files_load_identically(digits_model, digits, tmp_path):
    expected = digits_model.predict(digits.x_test, verbose=0).argmax(axis=1)
    for name in ("m.h5", "m.keras"):
        digits_model.save(tmp_path / name)
        sim = bnn2q.simulate(str(tmp_path / name), digits.x_test, shots=1)
        np.testing.assert_array_equal(sim.predictions, expected)


def test_fashion_mnist_classical_limit_on_every_test_image(fashion):
    """Non-dyadic real inputs (value/127.5 − 1): float64 folding still agrees with Keras."""
    from bnn2q.train.models import dense_bnn, train_classical

    model = dense_bnn(fashion.image_shape, [64, 32], 10, use_bias=True, bn_scale=True, seed=1)
    train_classical(model, fashion.x_train[:5000], fashion.y_train[:5000], epochs=2)
    expected = model.predict(fashion.x_test, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(bnn2q.simulate(model, fashion.x_test, shots=2).predictions, expected)
