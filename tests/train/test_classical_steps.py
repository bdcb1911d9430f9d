"""Fine-tuning and sweeps on networks with classical work between signs: only the signs become
quantum measurements (QuickNet's ReLU and ``x + y``, a computed gate, a max-pool of reals and a
4-bit input quantizer stay Keras), training runs, and the result is plain Larq that bnn2q loads
and simulates at the trained quantumness."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.train.evaluate import quantum_accuracy
from bnn2q.train.finetune import finetune
from bnn2q.train.quantum_model import quantum_copy, sign_quantized_layers

pytestmark = pytest.mark.xdist_group("larq-models")

SIGN = dict(input_quantizer="ste_sign", kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)


def quick_digits_model(seed=0):
    from bnn2q.frontends.tf_env import import_tf

    tf, keras, lq = import_tf()
    keras.utils.set_random_seed(seed)
    bn = keras.layers.BatchNormalization
    inp = keras.Input((8, 8, 1))
    x = lq.layers.QuantConv2D(8, 3, padding="same", use_bias=False, input_quantizer=lq.quantizers.DoReFa(k_bit=4))(inp)
    x = keras.layers.Activation("relu")(bn()(x))
    y = lq.layers.QuantConv2D(8, 3, padding="same", pad_values=1.0, activation="relu", **SIGN)(x)
    x = x + bn()(y)
    gate = keras.layers.Reshape((1, 1, 8))(keras.layers.Dense(8, activation="sigmoid")(
        keras.layers.GlobalAveragePooling2D()(x)))
    y = keras.layers.Multiply()([bn()(lq.layers.QuantConv2D(8, 3, padding="same", **SIGN)(x)), gate])
    x = keras.layers.MaxPooling2D(2)(keras.layers.Add()([x, y]))
    x = bn()(lq.layers.QuantDense(32, **SIGN)(keras.layers.Flatten()(x)))
    out = keras.layers.Activation("softmax")(bn()(lq.layers.QuantDense(10, **SIGN)(x)))
    return keras.Model(inp, out)


def test_only_the_signs_become_quantum_and_the_tuned_model_loads(digits):
    model = quick_digits_model()
    assert len(sign_quantized_layers(model)) == 4  # the DoReFa stem is host encoding, left alone
    copy = quantum_copy(model, quantumness=0.5)
    assert [type(layer.input_quantizer).__name__ for layer in sign_quantized_layers(copy)] == ["QuantumSign"] * 4
    x, y = digits.x_train[:256].reshape(-1, 8, 8, 1), digits.y_train[:256]
    tuned, history = finetune(model, x, y, quantumness=0.5, epochs=2, batch_size=64, seed=0)
    assert np.all(np.isfinite(history.history["loss"]))
    net = bnn2q.load(tuned)
    assert len(net.hidden) == 4 and any(s.stage == "core" and type(s.op).__name__ == "Multiply" for s in net.steps)
    xt = digits.x_test[:40].reshape(-1, 8, 8, 1)
    np.testing.assert_array_equal(bnn2q.simulate(net, xt, shots=1).predictions,
                                  tuned.predict(xt, verbose=0).argmax(axis=1))
    result = quantum_accuracy(tuned, xt, digits.y_test[:40], quantumness=0.5, shots=5, seeds=(0, 1))
    assert 0.0 <= result.mean <= 1.0 and len(result.accuracy) == 2
