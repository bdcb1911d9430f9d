"""Quantum-aware fine-tuning: train a Larq BNN with its hidden signs measured as quantum neurons.

The model is trained with ``model.fit`` while every hidden sign is a quantum measurement shot
at the requested quantumness (``quantum_sign``); the returned model is the source architecture
(plain Larq quantizers) with the trained weights, ready for ``bnn2q compile``/``simulate`` at
that quantumness."""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import InputError
from ..frontends.tf_env import import_tf
from ..atomic import atomic_path
from .quantum_model import quantum_copy, source_copy

OPTIMIZERS = ("adam", "sgd")


def finetune(model, x, y, activation: str = "rotation", quantumness: float = 0.0,
             g: float = math.pi / 2, epochs: int = 10, batch_size: int = 64, lr: float = 1e-3,
             seed: int = 0, verbose=0, callbacks=None, optimizer: str = "adam", momentum: float = 0.9,
             gradient: str = "expected"):
    """Fine-tune ``model`` (a tf.keras Larq model) at the given quantumness.

    Args:
        model: the source model; it is not modified. Its output is read as probabilities when
            it ends in a softmax, else as logits.
        x, y: training images and integer labels.
        activation, quantumness, g: the quantum neuron (SPEC §2) to train for.
        epochs, batch_size, lr: training schedule on the sparse cross-entropy.
        optimizer: ``"adam"`` or ``"sgd"`` (with ``momentum``; the paper's recipe).
        gradient: the surrogate, ``"expected"`` (straight-through on the expected spin) or
            ``"htanh"`` (the paper's hard-tanh straight-through estimator).
        seed: seeds weight shuffling and the training shots.
        verbose: passed to ``model.fit`` (1 shows Keras' progress bar).

    Returns:
        (trained model in the source architecture, Keras History).
    """
    tf, keras, _ = import_tf()
    if int(epochs) != epochs or epochs < 1:
        raise InputError(f"epochs must be a positive integer, got {epochs!r}")
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise InputError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise InputError(f"the learning rate must be a positive number, got {lr!r}")
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise InputError(f"seed must be an integer >= 0, got {seed!r}")
    if len(x) < 1:
        raise InputError("the training set is empty; raise --train-size")
    if optimizer not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {optimizer!r}: use one of {', '.join(OPTIMIZERS)}")
    keras.utils.set_random_seed(seed)
    quantum = quantum_copy(model, activation, quantumness, g, gradient)
    opt = keras.optimizers.Adam(lr) if optimizer == "adam" else keras.optimizers.SGD(lr, momentum=momentum)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=not ends_in_softmax(model))
    quantum.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
    history = quantum.fit(x, y, epochs=int(epochs), batch_size=batch_size, verbose=verbose,
                          callbacks=callbacks)
    return source_copy(quantum, model), history


def ends_in_softmax(model) -> bool:
    """Whether the model's last layer turns logits into probabilities."""
    last = model.layers[-1]
    fn = getattr(last, "activation", None)
    return type(last).__name__ == "Softmax" or getattr(fn, "__name__", "") == "softmax"


def save_model_atomic(model, path) -> Path:
    """Save a Keras model to ``path`` (.h5/.keras) via a temporary file and ``os.replace``,
    so a crash never leaves a partial model file."""
    path = Path(path)
    if path.suffix.lower() not in (".h5", ".hdf5", ".keras"):
        raise InputError(f"output {str(path)!r} must end in .h5 or .keras (the Keras formats)")
    with atomic_path(path, suffix=path.suffix) as tmp:
        model.save(tmp)
    return path
