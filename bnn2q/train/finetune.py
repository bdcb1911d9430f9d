"""Quantum-aware fine-tuning: train a Larq BNN with its hidden signs measured as quantum neurons.

The model is trained with ``model.fit`` while every hidden sign is a ``QuantumSign`` shot at the
requested quantumness; the returned model is the source architecture (plain Larq quantizers)
with the trained weights, ready for ``bnn2q compile``/``simulate`` at that quantumness."""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import InputError
from ..frontends.tf_env import import_tf
from ..atomic import atomic_path
from .quantum_model import quantum_copy, source_copy


def finetune(model, x, y, activation: str = "rotation", quantumness: float = 0.0,
             g: float = math.pi / 2, epochs: int = 10, batch_size: int = 64, lr: float = 1e-3,
             seed: int = 0, verbose=0, callbacks=None):
    """Fine-tune ``model`` (a tf.keras Larq model) at the given quantumness.

    Args:
        model: the source model; it is not modified.
        x, y: training images and integer labels.
        activation, quantumness, g: the quantum neuron (SPEC §2) to train for.
        epochs, batch_size, lr: Adam on the sparse cross-entropy.
        seed: seeds weight shuffling and the training shots.
        verbose: passed to ``model.fit`` (1 shows Keras' progress bar).

    Returns:
        (trained model in the source architecture, Keras History).
    """
    tf, keras, _ = import_tf()
    if int(epochs) != epochs or epochs < 1:
        raise InputError(f"epochs must be a positive integer, got {epochs!r}")
    if len(x) < 1:
        raise InputError("the training set is empty; raise --train-size")
    keras.utils.set_random_seed(seed)
    quantum = quantum_copy(model, activation, quantumness, g)
    quantum.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    history = quantum.fit(x, y, epochs=int(epochs), batch_size=batch_size, verbose=verbose,
                          callbacks=callbacks)
    return source_copy(quantum, model), history


def save_model_atomic(model, path) -> Path:
    """Save a Keras model to ``path`` (.h5/.keras) via a temporary file and ``os.replace``,
    so a crash never leaves a partial model file."""
    path = Path(path)
    if path.suffix.lower() not in (".h5", ".hdf5", ".keras"):
        raise InputError(f"output {str(path)!r} must end in .h5 or .keras (the Keras formats)")
    with atomic_path(path, suffix=path.suffix) as tmp:
        model.save(tmp)
    return path
