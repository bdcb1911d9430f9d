"""Frontends: read a trained BNN (Larq/Keras or ONNX) into the bnn2q IR."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError
from ..ir import Graph, Network

KERAS_SUFFIXES = (".h5", ".hdf5", ".keras")
ONNX_SUFFIXES = (".onnx",)


def read_graph(src) -> Graph:
    """The frontend's op graph for ``src`` (a path, a tf.keras.Model or an onnx.ModelProto)."""
    if isinstance(src, Graph):
        return src
    if isinstance(src, (str, os.PathLike)):
        path = Path(src)
        if not path.exists():
            raise InputError(f"model file {str(path)!r} not found; check the path")
        if path.is_dir():
            raise InputError(
                f"{str(path)!r} is a directory; give a .h5, .keras or .onnx model file"
            )
        suffix = path.suffix.lower()
        if suffix in KERAS_SUFFIXES:
            from .larq_keras import read_keras_file
            from .tf_env import quiet_larq

            with quiet_larq():
                return read_keras_file(path)
        if suffix in ONNX_SUFFIXES:
            from .onnx_graph import read_onnx_file

            return read_onnx_file(path)
        raise InputError(
            f"{str(path)!r}: unknown model format {suffix or '(no suffix)'!r}; "
            "give a .h5, .keras or .onnx file"
        )
    module = type(src).__module__ or ""
    if module.startswith(("tf_keras", "keras", "tensorflow", "larq")):
        from .larq_keras import read_keras_model
        from .tf_env import quiet_larq

        with quiet_larq():
            return read_keras_model(src)
    if module.startswith("onnx") and type(src).__name__ == "ModelProto":
        from .onnx_graph import read_onnx_model

        return read_onnx_model(src)
    raise InputError(
        f"cannot load a {type(src).__name__}: give a model path (.h5, .keras, .onnx), "
        "a tf.keras.Model or an onnx.ModelProto"
    )


def load(src) -> Network:
    """Load a BNN into the canonical neuron-level Network (batch-norm folded, layers built).

    Args:
        src: a path (``.h5``/``.keras``/``.onnx``), a ``tf.keras.Model``, an
            ``onnx.ModelProto``, a ``Graph`` or an already loaded ``Network``.
    """
    if isinstance(src, Network):
        return src
    from ..passes import canonicalize

    return canonicalize(read_graph(src))
