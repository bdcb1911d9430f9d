"""The Keras reader's handlers for activations and merge layers: signs (Larq quantizers), real
nonlinearities (ReLU and its relatives, tanh, sigmoid), multi-bit quantizers (host encoding),
and Add/Subtract/Multiply/Maximum/Minimum/Concatenate. Mixed into ``larq_keras._Reader``."""

from __future__ import annotations

import numpy as np

from ..errors import FrontendError
from ..ir import (Add, Affine, Clip, Concat, Elementwise, Maximum, Minimum, Multiply, Quantize, Sign)
from .quantizers import input_quantizer, multibit_levels

#: Keras activation names → the op computing them: an Elementwise (fn, α) or a Clip (low, high).
REAL_ACTIVATIONS = {"relu": ("relu", 1.0), "tanh": ("tanh", 1.0), "sigmoid": ("sigmoid", 1.0),
                    "hard_tanh": ("hard_tanh", 1.0), "relu6": (0.0, 6.0),
                    # larq-zoo's DoReFa-Net head: tf.clip_by_value(x, 0, 1), registered by name
                    "clip_by_value_activation": (0.0, 1.0)}


class ElementwiseHandlers:
    """Uses the reader's ``emit`` and ``softmax``."""

    def activation_op(self, layer, fn, value: str, name: str) -> str:
        """Emit what activation ``fn`` computes on ``value`` as ``name`` (None, 'linear': nothing)."""
        fn_name = _fn_name(fn)
        if fn_name in (None, "linear"):
            return value
        if fn_name == "softmax":
            self.softmax = layer.name
            return value
        if fn_name in REAL_ACTIVATIONS:
            a, b = REAL_ACTIVATIONS[fn_name]
            op = Elementwise(name, a, np.array(b)) if isinstance(a, str) else Clip(name, np.array(a), np.array(b))
            return self.emit(op, [value])
        return self.quantizer_op(fn, value, name, f"layer {layer.name!r}: activation")

    def quantizer_op(self, quantizer, value: str, name: str, where: str) -> str:
        """A Larq quantizer as bnn2q ops: a sign (spins, or 0/1 bits for a Heaviside), a
        multi-bit quantizer (host computation), or nothing (a pass-through)."""
        levels = multibit_levels(quantizer)
        if levels is not None:
            return self.emit(Quantize(name, np.array(1.0 / levels), np.array(0.0), 0, levels), [value])
        q = input_quantizer(quantizer, where)
        if q is None:
            return value
        spins = self.emit(Sign(name, strict=q.strict), [value])
        if q.bits:  # a 0/1 quantizer: s = (y + 1)/2
            return self.emit(Affine(f"{name}.bits", np.array(0.5), np.array(0.5)), [spins])
        return spins

    def _activation(self, layer, fn, value: str, own: bool = False) -> str:
        """A layer's ``activation=`` (named layer.fn) or an Activation layer's own (``own``)."""
        return self.activation_op(layer, fn, value, layer.name if own else f"{layer.name}.{_fn_name(fn)}")

    def _Activation(self, layer, inputs):
        return self._activation(layer, layer.activation, inputs[0], own=True)

    def _Softmax(self, layer, inputs):
        self.softmax = layer.name
        return inputs[0]

    def _ReLU(self, layer, inputs):
        if float(layer.threshold) != 0.0:
            raise FrontendError(f"layer {layer.name!r}: ReLU with a threshold is not supported")
        slope = float(layer.negative_slope)
        fn = Elementwise(layer.name, "prelu", np.array(slope)) if slope else Elementwise(layer.name, "relu")
        value = self.emit(fn, inputs)
        if layer.max_value is not None:
            value = self.emit(Clip(f"{layer.name}.max_value", np.array(-np.inf), np.array(float(layer.max_value))),
                              [value])
        return value

    def _LeakyReLU(self, layer, inputs):
        return self.emit(Elementwise(layer.name, "prelu", np.array(float(layer.alpha))), inputs)

    def _PReLU(self, layer, inputs):
        alpha = np.asarray(layer.alpha, dtype=np.float64)
        if alpha.ndim > 1 and alpha.shape[:-1] != (1,) * (alpha.ndim - 1):
            alpha_ok = np.all(alpha == alpha.reshape(-1, alpha.shape[-1])[0])
            if not alpha_ok:
                raise FrontendError(f"layer {layer.name!r}: PReLU with per-position slopes is not supported")
        return self.emit(Elementwise(layer.name, "prelu", alpha.reshape(-1, alpha.shape[-1])[0]
                                     if alpha.ndim > 1 else alpha), inputs)

    def _Rescaling(self, layer, inputs):
        return self.emit(Affine(layer.name, np.array(float(layer.scale)), np.array(float(layer.offset))), inputs)

    # -- merge layers ----------------------------------------------------------------------

    def _Add(self, layer, inputs):
        return self.emit(Add(layer.name), inputs)

    def _Subtract(self, layer, inputs):
        neg = self.emit(Affine(f"{layer.name}.negate", np.array(-1.0), np.array(0.0)), inputs[1:])
        return self.emit(Add(layer.name), [inputs[0], neg])

    def _Multiply(self, layer, inputs):
        return self.emit(Multiply(layer.name), inputs)

    def _Maximum(self, layer, inputs):
        return self.emit(Maximum(layer.name), inputs)

    def _Minimum(self, layer, inputs):
        return self.emit(Minimum(layer.name), inputs)

    def _Concatenate(self, layer, inputs):
        rank = len(layer.output_shape) - 1
        if layer.axis not in (-1, rank):
            raise FrontendError(f"concatenate {layer.name!r} joins axis {layer.axis}; bnn2q joins "
                                "channels (the last axis)")
        return self.emit(Concat(layer.name), inputs)


#: Layers that read two or more tensors.
MERGE_LAYERS = ("Add", "Subtract", "Multiply", "Maximum", "Minimum", "Concatenate")


def _fn_name(fn) -> str | None:
    if fn is None:
        return None
    return getattr(fn, "__name__", None) or type(fn).__name__
