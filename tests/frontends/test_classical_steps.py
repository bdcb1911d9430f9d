"""Classical work between measurements, read from Keras and from its tf2onnx export: ReLU,
PReLU, ReLU6, a data-dependent scale (Multiply), max and difference of branches, a dilated
convolution, QuickNet's ``x + y`` and padded convolution, MeliusNet's grouped convolution
written with ``tf.split``/``tf.concat``/``tf.pad`` on Keras tensors (TFOpLambda layers, read as
data), and a 4-bit DoReFa quantizer encoding the input. At the classical limit the simulator
reproduces Keras' ``predict`` on every input; Python Lambdas are refused with one line."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import FrontendError
from bnn2q.ir import Clip, Conv2D, Elementwise, Maximum, Multiply, Quantize

from .conftest import keras_env, ort_logits, to_onnx
from .zoo import _redraw_batchnorm

pytestmark = pytest.mark.xdist_group("larq-models")

SIGN = dict(input_quantizer="ste_sign", kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)


def classical_model(seed=0):
    tf, keras, lq = keras_env()
    keras.utils.set_random_seed(seed)
    bn = keras.layers.BatchNormalization
    inp = keras.Input((8, 8, 2))
    x = lq.layers.QuantConv2D(8, 3, padding="same", use_bias=False, input_quantizer=lq.quantizers.DoReFa(k_bit=4),
                              name="stem")(inp)
    x = keras.layers.Activation("relu")(bn()(x))
    # QuickNet's residual block: padded with ones, ReLU inside, summed with the stream by `+`.
    y = lq.layers.QuantConv2D(8, 3, padding="same", pad_values=1.0, activation="relu", name="quick", **SIGN)(x)
    x = x + bn()(y)
    # Real-to-Binary's gated block: a dilated binary convolution scaled by a gate of the stream.
    gate = keras.layers.Reshape((1, 1, 8))(keras.layers.Dense(8, activation="sigmoid")(
        keras.layers.GlobalAveragePooling2D()(x)))
    y = lq.layers.QuantConv2D(8, 3, padding="same", dilation_rate=2, name="dilated", **SIGN)(x)
    y = keras.layers.PReLU(shared_axes=[1, 2])(keras.layers.Multiply(name="gate")([bn()(y), gate]))
    x = keras.layers.Add()([x, y])
    # MeliusNet's grouped convolution and improvement block, as TensorFlow ops on Keras tensors.
    parts = tf.split(x, 2, axis=-1)
    w = tf.concat([lq.layers.QuantConv2D(2, 3, padding="same", **SIGN)(p) for p in parts], axis=-1)
    x = x + tf.pad(bn()(w), [[0, 0], [0, 0], [0, 0], [4, 0]])
    # Branches combined by max and difference, a ReLU6, a max-pool of reals.
    y = keras.layers.ReLU(max_value=6.0)(bn()(lq.layers.QuantConv2D(8, 1, **SIGN)(x)))
    x = keras.layers.Maximum(name="max")([x, keras.layers.Subtract()([y, x])])
    x = keras.layers.Flatten()(bn()(keras.layers.MaxPooling2D(2)(x)))
    out = lq.layers.QuantDense(10, **SIGN)(bn()(lq.layers.QuantDense(16, **SIGN)(x)))
    model = keras.Model(inp, keras.layers.Activation("softmax")(out))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 8, 8, 2)).astype(np.float32)
    _redraw_batchnorm(model, x[:64], rng, keras)
    return model, x


@pytest.fixture(scope="module")
def model_and_inputs():
    return classical_model()


def test_every_step_is_read_and_the_classical_limit_is_predict(model_and_inputs):
    model, x = model_and_inputs
    net = bnn2q.load(model)
    kinds = {type(s.op) for s in net.steps if s.stage == "core"}
    assert {Elementwise, Clip, Multiply, Maximum} <= kinds
    assert any(isinstance(s.op, Conv2D) and s.op.dilation == (2, 2) for s in net.steps)
    assert isinstance(net.steps[0].op, Quantize) and net.steps[0].stage == "encoder"
    assert len(net.hidden) == 7
    expected = model.predict(x, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(bnn2q.simulate(net, x, shots=1).predictions, expected)
    assert len(set(expected.tolist())) > 2


def test_the_tf2onnx_export_matches_predict_and_onnxruntime(model_and_inputs):
    model, x = model_and_inputs
    proto = to_onnx(model)
    sim = bnn2q.simulate(bnn2q.load(proto), x, shots=1)
    np.testing.assert_array_equal(sim.predictions, model.predict(x, verbose=0).argmax(axis=1))
    np.testing.assert_allclose(sim.logits[:, 0], ort_logits(proto, x), rtol=1e-4, atol=1e-4)


def test_a_python_lambda_is_refused_naming_it():
    tf, keras, lq = keras_env()
    inp = keras.Input((4,))
    x = lq.layers.QuantDense(4, kernel_quantizer="ste_sign")(inp)
    x = keras.layers.Lambda(lambda v: v * 2, name="doubler")(x)
    model = keras.Model(inp, lq.layers.QuantDense(3, **SIGN)(x))
    with pytest.raises(FrontendError, match=r"^layer 'doubler' is a Lambda: Python code, which bnn2q does not run "
                                            r"to read a model; write it with Keras layers or TensorFlow ops") as info:
        bnn2q.load(model)
    assert "\n" not in str(info.value)


def test_an_unread_tensorflow_op_is_refused_naming_it():
    tf, keras, lq = keras_env()
    inp = keras.Input((4,))
    x = tf.math.exp(lq.layers.QuantDense(4, kernel_quantizer="ste_sign")(inp))
    model = keras.Model(inp, lq.layers.QuantDense(3, **SIGN)(x))
    with pytest.raises(FrontendError, match=r"layer 'tf.math.exp' is a TensorFlow op \(math.exp\) bnn2q does not "
                                            r"read; bnn2q reads split, concat"):
        bnn2q.load(model)


def test_split_reads_sizes_and_refuses_other_axes():
    tf, keras, lq = keras_env()
    inp = keras.Input((3, 3, 6))
    a, b = tf.split(inp, [2, 4], axis=-1)
    y = lq.layers.QuantConv2D(2, 1, kernel_quantizer="ste_sign", use_bias=False)(b)
    model = keras.Model(inp, keras.layers.Flatten()(lq.layers.QuantConv2D(2, 1, **SIGN)(tf.concat([a, y], -1))))
    x = np.random.default_rng(0).normal(size=(20, 3, 3, 6)).astype(np.float32)
    np.testing.assert_allclose(bnn2q.simulate(model, x, shots=1).logits[:, 0], model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)
    rows = tf.split(inp, 3, axis=1)
    bad = keras.Model(inp, keras.layers.Flatten()(lq.layers.QuantConv2D(2, 1, **SIGN)(rows[0])))
    with pytest.raises(FrontendError, match=r"layer 'tf.split\w*' \(split\) acts on axis 1; bnn2q splits and joins "
                                            r"channels"):
        bnn2q.load(bad)
