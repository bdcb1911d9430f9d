"""The TensorFlow array backend for ``bnn2q.activations``: the simulator's math, differentiable.

``activations.get(name, τ, g).p_one(u, xp=TF)`` evaluates the very formula the simulator samples
from (with NumPy), as a TensorFlow op that gradients flow through."""

from __future__ import annotations

import math

from ..frontends.tf_env import import_tf


class TensorFlowBackend:
    """The few array operations the activation math needs, as TensorFlow ops."""

    pi = math.pi

    def __init__(self):
        self.tf = import_tf()[0]

    def sigmoid(self, x):
        return self.tf.sigmoid(x)

    def step(self, x, strict: bool = False):
        """[x ≥ 0] as a float (Larq's sign(0) = +1 convention); [x > 0] when ``strict``."""
        return self.tf.cast(x > 0 if strict else x >= 0, x.dtype)

    def sin(self, x):
        return self.tf.sin(x)

    def cos(self, x):
        return self.tf.cos(x)


_BACKEND: TensorFlowBackend | None = None


def backend() -> TensorFlowBackend:
    """The shared backend instance (imports TensorFlow on first use)."""
    global _BACKEND
    if _BACKEND is None:
        _BACKEND = TensorFlowBackend()
    return _BACKEND
