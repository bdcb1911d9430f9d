"""Read a Larq/Keras model file for training (the compiler reads models through ``frontends``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..frontends import KERAS_SUFFIXES
from ..frontends.keras_file import load_keras_file


def load_keras_model(path):
    """The tf.keras model stored at ``path`` (.h5/.keras), checked before it is deserialized
    (it runs no code from the file: ``frontends.keras_file``)."""
    path = Path(path)
    if path.suffix.lower() not in KERAS_SUFFIXES:
        raise InputError(
            f"{str(path)!r}: fine-tuning needs a Larq/Keras model (.h5 or .keras); ONNX models "
            "carry no trainable Larq layers"
        )
    if not path.is_file():
        raise InputError(f"model file {str(path)!r} not found; check the path")
    return load_keras_file(path)
