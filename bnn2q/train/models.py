"""Larq BNN builders for the examples, tests and sweeps (Larq's standard dense recipe)."""

from __future__ import annotations

from ..errors import InputError
from ..frontends.tf_env import import_tf


def parse_architecture(spec: str) -> list[int]:
    """'64-64-32-10' → [64, 64, 32, 10] (input size, hidden widths..., classes)."""
    try:
        widths = [int(w) for w in str(spec).split("-")]
    except ValueError:
        raise InputError(f"architecture {spec!r} must look like 64-64-32-10 (sizes joined by '-')") from None
    if len(widths) < 3 or min(widths) < 1:
        raise InputError(
            f"architecture {spec!r} needs an input size, at least one hidden width and a class "
            "count, all positive (e.g. 64-64-10)"
        )
    return widths


def dense_bnn(
    input_shape: tuple,
    hidden: list[int],
    n_classes: int,
    kernel_quantizer: str = "ste_sign",
    input_quantizer: str = "ste_sign",
    use_bias: bool = False,
    bn_scale: bool = False,
    seed: int = 0,
):
    """Flatten → [QuantDense → BN] × hidden → QuantDense → BN → softmax.

    The first layer reads real pixels (``input_quantizer=None``); each later layer binarizes
    its input with ``input_quantizer``, which is the previous layer's sign activation."""
    tf, keras, lq = import_tf()
    tf.keras.utils.set_random_seed(seed)
    common = dict(kernel_quantizer=kernel_quantizer, kernel_constraint="weight_clip", use_bias=use_bias)
    layers = [keras.Input(shape=tuple(input_shape)), keras.layers.Flatten()]
    for i, width in enumerate(hidden + [n_classes]):
        layers.append(
            lq.layers.QuantDense(width, input_quantizer=None if i == 0 else input_quantizer, **common)
        )
        layers.append(keras.layers.BatchNormalization(momentum=0.9, scale=bn_scale))
    layers.append(keras.layers.Activation("softmax"))
    return keras.Sequential(layers)


def paper_mlp(input_shape: tuple, hidden: list[int], n_classes: int, seed: int = 0):
    """The networks of arXiv 2503.15482 as a Larq model: Flatten → Dense (real weights, no
    bias) → [sign → Dense] × hidden → logits. No batch-norm; weights Kaiming-normal for a linear
    layer (std 1/√fan_in), as the authors initialize them."""
    tf, keras, lq = import_tf()
    tf.keras.utils.set_random_seed(seed)
    init = keras.initializers.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=seed)
    layers = [keras.Input(shape=tuple(input_shape)), keras.layers.Flatten()]
    for i, width in enumerate(hidden + [n_classes]):
        layers.append(lq.layers.QuantDense(width, input_quantizer=None if i == 0 else "ste_sign",
                                           kernel_quantizer=None, use_bias=False, kernel_initializer=init))
    return keras.Sequential(layers)


def train_classical(model, x, y, epochs: int = 30, batch_size: int = 64, lr: float = 0.01, verbose=0):
    """Plain Larq training (Adam, sparse cross-entropy)."""
    tf, keras, _ = import_tf()
    model.compile(
        optimizer=keras.optimizers.Adam(lr),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose)
