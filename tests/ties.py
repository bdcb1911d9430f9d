"""Classical-limit comparisons against float32 frameworks (Keras, onnxruntime).

bnn2q computes the classical network in float64; a float32 framework rounds each
pre-activation u = Σ_i w_i v_i + c in its own summation order. Rounding errors of an n-term
float32 sum behave like a random walk of n steps of relative size ε = 2⁻²⁴, so |u| below
8 ε √n ‖w ∘ v‖₂ (eight standard deviations) is a tie: the two may take different signs and
neither is wrong. ``unexplained`` returns the samples whose prediction differs from the
framework's without such a tie, which must be none (a worst-case bound, n ε Σ|w_i v_i|, would
call most samples ties and make the check toothless)."""

from __future__ import annotations

import numpy as np

from bnn2q.ir import Dense
from bnn2q.host.forward import HostPass

EPS32 = 2.0 ** -24


def has_float32_tie(net, x) -> bool:
    """Whether some hidden neuron of sample x lies within float32 rounding of its threshold
    (dense layers; the bound is taken over the layer's terms)."""
    host = HostPass(net, x)
    for k, layer in enumerate(net.hidden):
        u = host.preactivation(k)[0]
        dense = _feeding_dense(net, layer.preactivation)
        if dense is not None:
            v = host.values[_input_of(net, dense)].reshape(-1)
            spread = np.sqrt((dense.weight ** 2) @ (v ** 2))
            scale = np.abs(_scale(net, layer.preactivation, dense))
            if np.any(np.abs(u) <= 8 * EPS32 * np.sqrt(dense.n_in) * spread * scale):
                return True
        host.measured(k, (u >= 0).astype(np.uint8)[None])
    return False


def unexplained(net, x, ours, theirs) -> list[int]:
    """Indices where the predictions differ and no float32 tie explains it."""
    return [int(i) for i in np.flatnonzero(np.asarray(ours) != np.asarray(theirs)) if not has_float32_tie(net, x[i])]


def _feeding_dense(net, value):
    while value in net.producer:
        step = net.producer[value]
        if isinstance(step.op, Dense):
            return step.op
        if len(step.inputs) != 1:
            return None
        value = step.inputs[0]
    return None


def _input_of(net, dense) -> str:
    return next(s for s in net.steps if s.op is dense).inputs[0]


def _scale(net, value, dense) -> np.ndarray:
    """The product of the affine scales between the dense layer and the pre-activation."""
    scale = np.ones(1)
    while net.producer[value].op is not dense:
        step = net.producer[value]
        if hasattr(step.op, "scale"):
            scale = scale * np.broadcast_to(step.op.scale, net.shapes[value]).reshape(-1)
        value = step.inputs[0]
    return scale
