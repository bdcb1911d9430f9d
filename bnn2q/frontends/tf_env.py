"""Import TensorFlow the way Larq needs it: through tf-keras (TF_USE_LEGACY_KERAS=1)."""

from __future__ import annotations

import os

from ..errors import FrontendError

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def import_tf():
    """Return (tensorflow, tf.keras, larq), checking that tf.keras is tf-keras (Keras 2)."""
    import tensorflow as tf

    keras = tf.keras
    if not keras.Model.__module__.startswith("tf_keras"):
        raise FrontendError(
            "tf.keras is Keras 3, but Larq needs tf-keras: set TF_USE_LEGACY_KERAS=1 "
            "before TensorFlow is first imported (or import bnn2q first)"
        )
    import larq

    return tf, keras, larq
