"""Convolutional BNNs for the simulator benchmark, built with Larq (random weights, batch-norm
statistics spread so that the signs are not trivial: the time does not depend on the values)."""

from __future__ import annotations

import numpy as np


def _bn(keras):
    return keras.layers.BatchNormalization(scale=False)


def cifar_like(seed: int = 0):
    """32×32×3 → conv 64 → pool → conv 128 → pool → conv 256 → pool → dense 10 (3×3 'same'
    convolutions, 2×2 max-pools before the batch-norm, Larq's order)."""
    from bnn2q.frontends.tf_env import import_tf

    tf, keras, lq = import_tf()
    keras.utils.set_random_seed(seed)
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)
    layers = [keras.Input((32, 32, 3))]
    for k, filters in enumerate((64, 128, 256)):
        layers += [lq.layers.QuantConv2D(filters, 3, padding="same", input_quantizer=None if k == 0 else "ste_sign", **kw),
                   keras.layers.MaxPooling2D(2), _bn(keras)]
    layers += [keras.layers.Flatten(), lq.layers.QuantDense(10, input_quantizer="ste_sign", **kw), _bn(keras)]
    return _spread(keras.Sequential(layers), seed), (32, 32, 3)


def larq_mnist(seed: int = 0):
    """Larq's introductory MNIST BNN (28×28×1), as in its user guide."""
    from tests.frontends.conftest import larq_mnist_bnn

    return _spread(larq_mnist_bnn(input_shape=(28, 28, 1), filters=(32, 64, 64), dense=64, seed=seed), seed), (28, 28, 1)


def binary_alexnet(seed: int = 0):
    """larq-zoo's BinaryAlexNet at 64×64×3."""
    from tests.frontends.zoo import build

    model, _ = build("BinaryAlexNet", seed)
    return model, (64, 64, 3)


NETS = {"cifar-like 32x32x3": cifar_like, "larq mnist 28x28x1": larq_mnist, "BinaryAlexNet 64x64x3": binary_alexnet}


def _spread(model, seed):
    """Batch-norm means near zero and variances of the conv sums' order, so units fire both ways."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            n = layer.moving_mean.shape[0]
            fan = 9 * max(1, int(np.prod(layer.input_shape[-1:])))
            layer.moving_mean.assign(rng.normal(0, 1, n).astype(np.float32))
            layer.moving_variance.assign(np.full(n, float(fan), dtype=np.float32))
    return model
