"""Frontend fixtures: a shrunk Larq MNIST-style conv BNN, tf2onnx exports, onnxruntime logits."""

from __future__ import annotations

import numpy as np
import pytest


def keras_env():
    from bnn2q.frontends.tf_env import import_tf

    return import_tf()


def larq_mnist_bnn(input_shape=(8, 8, 1), filters=(16, 32, 32), dense=32, n_classes=10, seed=0):
    """Larq's introductory MNIST BNN, shrunk for 8×8 digits with 'same' padding:
    conv 3×3 → pool → BN → conv → pool → BN → conv → BN → flatten → dense → BN → dense → BN →
    softmax (BN without scale, first layer on real pixels)."""
    tf, keras, lq = keras_env()
    tf.keras.utils.set_random_seed(seed)
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)
    bn = lambda: keras.layers.BatchNormalization(scale=False)  # noqa: E731
    return keras.Sequential([
        keras.Input(input_shape),
        lq.layers.QuantConv2D(filters[0], (3, 3), padding="same", **kw),
        keras.layers.MaxPooling2D((2, 2)),
        bn(),
        lq.layers.QuantConv2D(filters[1], (3, 3), padding="same", input_quantizer="ste_sign", **kw),
        keras.layers.MaxPooling2D((2, 2)),
        bn(),
        lq.layers.QuantConv2D(filters[2], (3, 3), padding="same", input_quantizer="ste_sign", **kw),
        bn(),
        keras.layers.Flatten(),
        lq.layers.QuantDense(dense, input_quantizer="ste_sign", **kw),
        bn(),
        lq.layers.QuantDense(n_classes, input_quantizer="ste_sign", **kw),
        bn(),
        keras.layers.Activation("softmax"),
    ])


def to_onnx(model, opset=13):
    """tf2onnx export with a free batch axis, as users run it."""
    import tf2onnx

    tf, _, _ = keras_env()
    spec = (tf.TensorSpec((None,) + tuple(model.input_shape[1:]), tf.float32),)
    proto, _ = tf2onnx.convert.from_keras(model, input_signature=spec, opset=opset)
    return proto


def ort_logits(proto, x) -> np.ndarray:
    """onnxruntime's output, read before a trailing Softmax (the logits layer)."""
    import onnx
    import onnxruntime as ort

    model = onnx.ModelProto()
    model.CopyFrom(proto)
    last = model.graph.node[-1]
    if last.op_type == "Softmax":
        model.graph.output[0].name = last.input[0]
        del model.graph.node[-1]
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: np.asarray(x, dtype=np.float32)})[0]


@pytest.fixture(scope="session")
def conv_model(digits):
    """The shrunk MNIST conv BNN, trained briefly on digits."""
    from bnn2q.train.models import train_classical

    model = larq_mnist_bnn()
    train_classical(model, digits.x_train, digits.y_train, epochs=6)
    return model


@pytest.fixture(scope="session")
def conv_onnx(conv_model):
    return to_onnx(conv_model)


@pytest.fixture(scope="session")
def dense_onnx(digits_model):
    return to_onnx(digits_model)
