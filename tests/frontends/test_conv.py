"""Convolutional BNNs in both frontends: Larq QuantConv2D/MaxPooling2D (padding, strides, pool
before or after the sign, Flatten in channels-last order) and their tf2onnx exports."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.frontends import read_graph
from bnn2q.ir import LINEAR_OPS, Conv2D, MaxPool2D

from .conftest import keras_env, ort_logits, to_onnx

pytestmark = pytest.mark.xdist_group("larq-models")

LOGIT_ATOL = 1e-4


def _logits_model(model):
    """The model without its trailing softmax: Keras' own logits."""
    _, keras, _ = keras_env()
    if type(model.layers[-1]).__name__ == "Activation":
        return keras.Model(model.inputs, model.layers[-2].output)
    return model


def _randomize_batchnorm(model, seed=0):
    """Spread the BN statistics so that untrained nets still have varied thresholds."""
    _, keras, _ = keras_env()
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.moving_mean.shape[0]
            layer.moving_mean.assign(rng.normal(size=n) * 2)
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, n))
            layer.beta.assign(rng.normal(size=n))


def _linear_ops(net):
    return [s.op for s in net.steps if isinstance(s.op, LINEAR_OPS)]


def test_larq_mnist_architecture_reproduces_predict_on_every_digit(conv_model, digits_all):
    x, y = digits_all
    net = bnn2q.load(conv_model)
    assert [type(op).__name__ for op in _linear_ops(net)] == ["Conv2D"] * 3 + ["Dense"] * 2
    pools = [s for s in net.steps if isinstance(s.op, MaxPool2D)]
    assert len(pools) == 2 and all(s.stage == "encoder" or not s.inputs[0] in net.layer_of for s in pools)
    sim = bnn2q.simulate(net, x, shots=1)
    np.testing.assert_array_equal(sim.predictions, conv_model.predict(x, verbose=0).argmax(1))
    np.testing.assert_allclose(sim.logits[:, 0], _logits_model(conv_model).predict(x, verbose=0), atol=LOGIT_ATOL)
    assert sim.accuracy(y) > 0.6


def test_tf2onnx_conv_export_reproduces_predict_and_onnxruntime(conv_model, conv_onnx, digits_all):
    x, _ = digits_all
    ops = [n.op_type for n in conv_onnx.graph.node]
    assert "Conv" in ops and "MaxPool" in ops
    net = bnn2q.load(conv_onnx)
    assert net.input_shape == (8, 8, 1)
    keras_net = bnn2q.load(conv_model)
    for ours, theirs in zip(_linear_ops(net), _linear_ops(keras_net), strict=True):
        np.testing.assert_array_equal(np.sign(ours.matrix()), np.sign(theirs.matrix()))  # same channels-last order
    sim = bnn2q.simulate(net, x, shots=1)
    np.testing.assert_array_equal(sim.predictions, conv_model.predict(x, verbose=0).argmax(1))
    np.testing.assert_allclose(sim.logits[:, 0], ort_logits(conv_onnx, x), atol=LOGIT_ATOL)


def _conv_variant(padding, strides, pool_after_sign, use_bias, channels_in):
    tf, keras, lq = keras_env()
    tf.keras.utils.set_random_seed(7)
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip")
    layers = [
        keras.Input((11, 9, channels_in)),
        lq.layers.QuantConv2D(5, (3, 2), strides=strides, padding=padding, use_bias=use_bias, **kw),
        keras.layers.MaxPooling2D((2, 2), padding=padding) if not pool_after_sign else keras.layers.Dropout(0.1),
        keras.layers.BatchNormalization(scale=False),
        lq.layers.QuantConv2D(4, (2, 2), padding=padding, input_quantizer="ste_sign", use_bias=False, **kw),
        keras.layers.BatchNormalization(scale=False),
        keras.layers.Activation(lq.quantizers.ste_sign),
    ]
    if pool_after_sign:
        layers.append(keras.layers.MaxPooling2D((2, 2), strides=(1, 2), padding=padding))
    layers += [keras.layers.Flatten(), lq.layers.QuantDense(6, use_bias=False, **kw)]
    model = keras.Sequential(layers)
    _randomize_batchnorm(model)
    return model


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides,pool_after_sign,use_bias,channels_in",
                         [((1, 1), False, False, 1), ((2, 1), True, True, 3), ((2, 2), False, True, 2)])
def test_conv_variants_match_keras_and_onnx(padding, strides, pool_after_sign, use_bias, channels_in):
    model = _conv_variant(padding, strides, pool_after_sign, use_bias, channels_in)
    x = np.random.default_rng(0).normal(size=(64,) + tuple(model.input_shape[1:])).astype(np.float32)
    kinds = [type(n.op) for n in read_graph(model).nodes if isinstance(n.op, (Conv2D, MaxPool2D))]
    assert kinds.count(MaxPool2D) == 1 and kinds.count(Conv2D) == 2
    reference = model.predict(x, verbose=0)
    for source in (model, to_onnx(model)):
        sim = bnn2q.simulate(bnn2q.load(source), x, shots=1)
        np.testing.assert_allclose(sim.logits[:, 0], reference, atol=LOGIT_ATOL)
        np.testing.assert_array_equal(sim.predictions, reference.argmax(1))


def test_onnx_conv_logits_match_onnxruntime_for_a_strided_variant():
    model = _conv_variant("same", (2, 2), True, True, 2)
    proto = to_onnx(model)
    x = np.random.default_rng(1).normal(size=(32, 11, 9, 2)).astype(np.float32)
    sim = bnn2q.simulate(bnn2q.load(proto), x, shots=1)
    np.testing.assert_allclose(sim.logits[:, 0], ort_logits(proto, x), atol=LOGIT_ATOL)


def test_conv_matrix_equals_tensorflow_convolution():
    """Conv2D.matrix() (explicit TF 'same' padding, strides) is the convolution itself."""
    tf, _, _ = keras_env()
    from bnn2q.frontends.larq_keras import _padding

    rng = np.random.default_rng(4)
    kernel = np.where(rng.random((3, 2, 2, 3)) < 0.5, -1, 1).astype(np.int8)
    for strides in [(1, 1), (2, 1), (2, 3)]:
        conv = Conv2D("c", kernel, (7, 6, 2), strides, _padding("same", (7, 6), (3, 2), strides))
        x = rng.normal(size=(5, 7, 6, 2))
        expected = tf.nn.conv2d(x, kernel.astype(np.float64), strides=strides, padding="SAME").numpy()
        got = x.reshape(5, -1) @ conv.matrix().T.astype(np.float64)
        np.testing.assert_allclose(got, expected.reshape(5, -1), atol=1e-9)


def larq_mnist_full_size():
    """Larq's introductory MNIST BNN at full size (28×28, 'valid' padding, 32/64/64 filters)."""
    tf, keras, lq = keras_env()
    tf.keras.utils.set_random_seed(3)
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)
    bn = lambda: keras.layers.BatchNormalization(scale=False)  # noqa: E731
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        lq.layers.QuantConv2D(32, (3, 3), **kw), keras.layers.MaxPooling2D((2, 2)), bn(),
        lq.layers.QuantConv2D(64, (3, 3), input_quantizer="ste_sign", **kw), keras.layers.MaxPooling2D((2, 2)), bn(),
        lq.layers.QuantConv2D(64, (3, 3), input_quantizer="ste_sign", **kw), bn(),
        keras.layers.Flatten(),
        lq.layers.QuantDense(64, input_quantizer="ste_sign", **kw), bn(),
        lq.layers.QuantDense(10, input_quantizer="ste_sign", **kw), bn(),
        keras.layers.Activation("softmax"),
    ])


def test_full_size_larq_mnist_architecture_on_fashion_mnist(fashion):
    """Full size, random binary weights and spread BN statistics (training it is too slow for
    CI): the Keras model and its tf2onnx export both reproduce predict on Fashion-MNIST."""
    model = larq_mnist_full_size()
    _randomize_batchnorm(model, seed=3)
    x = fashion.x_test[:64]
    reference = model.predict(x, verbose=0)
    for source in (model, to_onnx(model)):
        net = bnn2q.load(source)
        assert net.widths == [13 * 13 * 32, 5 * 5 * 64, 3 * 3 * 64, 64] and net.n_classes == 10
        sim = bnn2q.simulate(net, x, shots=1)
        np.testing.assert_array_equal(sim.predictions, reference.argmax(1))
