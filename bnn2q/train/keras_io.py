"""Read a Larq/Keras model file for training (the compiler reads models through ``frontends``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..frontends import KERAS_SUFFIXES
from ..frontends.tf_env import import_tf


def load_keras_model(path):
    """The tf.keras model stored at ``path`` (.h5/.keras), with Larq's custom objects."""
    _tf, keras, _lq = import_tf()
    path = Path(path)
    if path.suffix.lower() not in KERAS_SUFFIXES:
        raise InputError(
            f"{str(path)!r}: fine-tuning needs a Larq/Keras model (.h5 or .keras); ONNX models "
            "carry no trainable Larq layers"
        )
    if not path.is_file():
        raise InputError(f"model file {str(path)!r} not found; check the path")
    try:
        return keras.models.load_model(str(path), compile=False)
    except Exception as exc:  # Keras raises many types for corrupt or foreign files
        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise InputError(f"cannot read Keras model {str(path)!r}: {line}") from None
