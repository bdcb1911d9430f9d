"""Swap a Larq model's sign input quantizers for ``QuantumSign`` and back.

Only the signs change: everything else the model computes — ReLUs, gates, residual streams,
TensorFlow ops on Keras tensors, a multi-bit input quantizer — stays the Keras layer it is.

Fine-tuning trains a copy whose hidden signs are quantum measurements; the result handed back
is the source architecture (its own Larq quantizers) carrying the trained weights, so it loads
with plain Larq and compiles with bnn2q like any other model."""

from __future__ import annotations

import math

from .. import activations
from ..errors import InputError
from ..frontends.quantizers import SIGNS as SIGN_QUANTIZERS
from ..frontends.quantizers import multibit_levels, quantizer_name
from ..frontends.tf_env import import_tf

QUANTIZED_LAYERS = ("QuantDense", "QuantConv2D")
#: Input quantizers that mark a hidden sign: Larq's, and ours on an already quantum copy.
HIDDEN_SIGNS = SIGN_QUANTIZERS + ("quantum_sign", "carried_sign")


def sign_quantized_layers(model) -> list:
    """Layers whose input_quantizer is a hidden sign — the quantum neurons' measurements.

    Raises InputError for a model with no such layer or with a sign outside an input_quantizer."""
    found = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Activation" and quantizer_name(layer.activation) in SIGN_QUANTIZERS:
            raise InputError(
                f"layer {layer.name!r} applies its sign as an Activation layer; fine-tuning needs "
                "the sign as the next layer's input_quantizer (Larq's usual form)"
            )
        if kind in QUANTIZED_LAYERS and layer.input_quantizer is not None:
            if multibit_levels(layer.input_quantizer) is not None:
                continue  # a multi-bit input encoder: host computation, trained as Keras has it
            if quantizer_name(layer.input_quantizer) not in HIDDEN_SIGNS:
                raise InputError(
                    f"layer {layer.name!r}: input_quantizer {quantizer_name(layer.input_quantizer)!r} is not "
                    f"a sign quantizer ({', '.join(SIGN_QUANTIZERS)})"
                )
            found.append(layer)
    if not found:
        raise InputError(
            "the model has no hidden layer (no QuantDense/QuantConv2D with a sign input_quantizer); "
            "there are no quantum neurons to fine-tune"
        )
    return found


def quantum_copy(model, activation: str = "rotation", quantumness: float = 0.0, g=None,
                 gradient: str = "expected"):
    """A copy of ``model`` (same weights) whose hidden signs are quantum measurements:
    ``QuantumSign`` for rotation and ancilla-reset, ``CarriedSign`` for the ancilla activation
    (its neurons carry their state from hidden layer to hidden layer, in the model's order)."""
    from .quantum_sign import CarriedSign, CarriedState, QuantumSign

    act = activations.get(activation, quantumness, math.pi / 2 if g is None else g)
    copy = _clone(model)
    layers = sign_quantized_layers(copy)
    state = CarriedState()
    for k, layer in enumerate(layers):
        if act.memory:
            layer.input_quantizer = CarriedSign(state, k, len(layers), act.quantumness, act.g, gradient)
        else:
            layer.input_quantizer = QuantumSign(act.name, act.quantumness, getattr(act, "g", math.pi / 2), gradient)
    return copy


def source_copy(trained, source):
    """The architecture of ``source`` (its own quantizers) carrying the weights of ``trained``."""
    out = _clone(source)
    out.set_weights(trained.get_weights())
    return out


def _clone(model):
    _tf, keras, _lq = import_tf()
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy

