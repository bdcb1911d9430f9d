"""The ONNX reader's binarizations: ``Sign``, QONNX ``BipolarQuant``, and the sign idioms
PyTorch exports — ``torch.where(x >= 0, 1, -1)`` as ``GreaterOrEqual`` + ``Where``,
``(x >= 0).float() * 2 - 1`` as a comparison, ``Cast`` and arithmetic, ``Not`` of a comparison.

A comparison of an activation with a constant c is a neuron's sign: ``x >= c`` fires on
x − c ≥ 0 (bnn2q's 0 ↦ +1 convention), ``x > c`` on x − c > 0 (a strict neuron), ``x <= c``
and ``x < c`` on c − x. Its result is a boolean tensor of bits s = (y + 1)/2; ``Where(s, a, b)``
with constants a, b is then b + (a − b) s, again spins under a gain and a shift. Mixed into
``OnnxReader``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import FrontendError
from ..ir import Sign
from .onnx_values import Tensor

#: Comparison → (whether the activation is on the left of ≥/>, strict).
COMPARISONS = {"GreaterOrEqual": (True, False), "Greater": (True, True),
               "LessOrEqual": (False, False), "Less": (False, True)}


class SignHandlers:
    """Uses the reader's helpers (emit, const, real, affine, dense_layout, _broadcast)."""

    def _op_Sign(self, node, live, label: str) -> Tensor:
        return self._binarize(live[0], label, 1.0)

    def _bipolar_quant(self, node, live, label: str) -> Tensor:
        if node.input[0] not in self.values:
            raise FrontendError(f"node {label} (BipolarQuant): its data input must be the activation")
        scale = self.const(node, 1, "scale").astype(np.float64).reshape(-1)
        if scale.size == 0 or np.any(scale != scale[0]) or not np.isfinite(scale[0]) or scale[0] <= 0:
            raise FrontendError(f"node {label} (BipolarQuant): activation scale {scale[:4].tolist()} must be "
                                "one positive number (per-channel activation scales are not supported)")
        return self._binarize(live[0], label, float(scale[0]))

    def _binarize(self, t: Tensor, label: str, gain: float, strict: bool = False) -> Tensor:
        if t.spin:
            # sign(g y + c) = sign(g) y exactly when |c| < |g| (tf2onnx's Sign(Sign(x) + 0.1)).
            if abs(t.shift) >= abs(t.gain):
                raise FrontendError(f"node {label}: sign of binarized values shifted by {t.shift:g} "
                                    f"(≥ their scale {abs(t.gain):g}) is constant; not a BNN activation")
            return replace(t, gain=gain * np.sign(t.gain), shift=0.0, boolean=False)
        value = self.emit(Sign(label.strip("'"), strict=strict), [t.value])
        return Tensor(value, t.index, spin=True, gain=gain)

    def _compare(self, node, live, label: str) -> Tensor:
        """``x op c`` → bits of the sign of x − c (or c − x), strict for > and <."""
        if len(live) != 1:
            raise FrontendError(f"node {label} ({node.op_type}) compares two activations; bnn2q reads a "
                                "comparison of an activation with a constant (a sign)")
        left, strict = COMPARISONS[node.op_type]
        data_first = node.input[0] in self.values
        const = self.const(node, 1 if data_first else 0, "threshold").astype(np.float64)
        t = live[0]
        full = self._broadcast(const, t, node, label)
        if not np.all(np.isfinite(full)):
            raise FrontendError(f"node {label} ({node.op_type}): its threshold holds NaN or inf")
        sign = 1.0 if left == data_first else -1.0  # fires on x − c, or on c − x
        if t.spin and np.all(full == full.reshape(-1)[0]):  # a comparison of spins: a sign of spins again
            shifted = replace(t, gain=sign * t.gain, shift=sign * (t.shift - float(full.reshape(-1)[0])))
        else:
            shifted = self.affine(t, np.full(full.shape, sign), -sign * full, label + ".threshold")
        spins = self._binarize(shifted, label, 1.0, strict)
        return replace(spins, gain=0.5 * spins.gain, shift=0.5, boolean=True)

    _op_GreaterOrEqual = _op_Greater = _op_LessOrEqual = _op_Less = _compare

    def _op_Not(self, node, live, label: str) -> Tensor:
        (t,) = live
        if not t.boolean:
            raise FrontendError(f"node {label} (Not) negates a tensor bnn2q did not read as a comparison")
        return replace(t, gain=-t.gain, shift=1.0 - t.shift)

    def _op_Where(self, node, live, label: str) -> Tensor:
        """Where(s, a, b) = b + (a − b) s for bits s of a comparison and constants a, b."""
        if len(live) != 1 or node.input[0] not in self.values or not live[0].boolean:
            raise FrontendError(f"node {label} (Where) must choose between two constants by a comparison of an "
                                "activation with a constant (a sign)")
        s = live[0]
        a, b = (self.const(node, i, what).astype(np.float64) for i, what in ((1, "value if true"),
                                                                              (2, "value if false")))
        if a.size != 1 or b.size != 1 or not np.isfinite(a).all() or not np.isfinite(b).all():
            raise FrontendError(f"node {label} (Where): its two values must be finite scalars")
        a, b = float(a.reshape(-1)[0]), float(b.reshape(-1)[0])
        if a == b:
            raise FrontendError(f"node {label} (Where) chooses between two equal values; not a BNN activation")
        return replace(s, gain=(a - b) * s.gain, shift=b + (a - b) * s.shift, boolean=False)

    def cast(self, t: Tensor, to: int, label: str) -> Tensor:
        """Cast to a float type (bool → float keeps the bits); other types are refused."""
        if to not in (1, 10, 11):
            raise FrontendError(f"node {label} (Cast): casts activations to a non-float type")
        return replace(t, boolean=False)

