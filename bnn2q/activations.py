"""Quantum neuron activations (SPEC §2), registered by name and resolved in one place.

The simulator, the lowering and the fine-tuning layer all read the firing probability and the
rotation angle from here, so the three cannot drift apart. The math is written once against a
tiny array backend (NumPy here; TensorFlow in ``bnn2q.train``).

rotation (knob τ ≥ 0):  θ(u) = π · σ_τ(u),  σ_0(u) = [u ≥ 0],  σ_τ(u) = 1 / (1 + e^(−u/τ));
                        the neuron qubit gets R_y(θ) and P(s = 1) = sin²(θ / 2).
ancilla  (knob g ∈ [0, π/2], neuron prepared as rotation with its own τ): an ancilla weakly
                        measures the neuron; P(r = s) = (1 + sin g) / 2, hence
                        P(r = 1) = (1 − sin g) / 2 + sin g · P(s = 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from .errors import InputError


class NumpyBackend:
    """The few array operations the activation math needs."""

    pi = math.pi

    @staticmethod
    def sigmoid(x):
        return expit(x)

    @staticmethod
    def step(x):
        return (np.asarray(x) >= 0).astype(np.float64)

    @staticmethod
    def sin(x):
        return np.sin(x)


NUMPY = NumpyBackend()


@dataclass(frozen=True)
class Rotation:
    """R_y(θ(u)) on the neuron qubit, then a Z measurement. Classical at τ = 0."""

    quantumness: float = 0.0
    name = "rotation"
    min_qubits = 1

    @property
    def is_classical(self) -> bool:
        return self.quantumness == 0.0

    def squash(self, u, xp: Any = NUMPY):
        """σ_τ(u) ∈ [0, 1]: the neuron's rotation as a fraction of π."""
        if self.quantumness == 0.0:
            return xp.step(u)
        return xp.sigmoid(u / self.quantumness)

    def angle(self, u, xp: Any = NUMPY):
        """θ(u) = π σ_τ(u), the R_y angle of the neuron qubit."""
        return xp.pi * self.squash(u, xp)

    def neuron_p_one(self, u, xp: Any = NUMPY):
        """P(s = 1) = sin²(θ/2) for the neuron qubit itself."""
        half = xp.sin(self.angle(u, xp) / 2)
        return half * half

    def p_one(self, u, xp: Any = NUMPY):
        """P(output bit = 1 | u)."""
        return self.neuron_p_one(u, xp)


@dataclass(frozen=True)
class Ancilla(Rotation):
    """Rotation-prepared neuron, weakly measured through an ancilla at angle g.

    Circuit: CX(n→a) · R_y(g)[a] · CX(n→a), H[a], measure a. Classical at g = π/2 (and τ = 0)."""

    g: float = math.pi / 2
    name = "ancilla"
    min_qubits = 2

    @property
    def is_classical(self) -> bool:
        return self.quantumness == 0.0 and self.g == math.pi / 2

    @property
    def fidelity(self) -> float:
        """sin g: P(r = s) = (1 + sin g) / 2."""
        return math.sin(self.g)

    def p_one(self, u, xp: Any = NUMPY):
        """P(r = 1) = (1 − sin g)/2 + sin g · P(s = 1)."""
        f = self.fidelity
        return (1.0 - f) / 2.0 + f * self.neuron_p_one(u, xp)


ACTIVATIONS = {"rotation": Rotation, "ancilla": Ancilla}


def get(name: str = "rotation", quantumness: float = 0.0, g: float = math.pi / 2) -> Rotation:
    """Resolve an activation by name, checking its knobs.

    Args:
        name: ``"rotation"`` or ``"ancilla"``.
        quantumness: τ ≥ 0 (for ancilla, the neuron's own τ; default 0).
        g: the ancilla coupling angle in [0, π/2] (ignored by rotation).
    """
    if isinstance(name, Rotation):
        return name
    if name not in ACTIVATIONS:
        raise InputError(f"unknown activation {name!r}: use one of {', '.join(ACTIVATIONS)}")
    tau = _finite(quantumness, "quantumness")
    if tau < 0:
        raise InputError(f"quantumness must be >= 0 (0 is the classical network), got {tau:g}")
    if name == "rotation":
        return Rotation(tau)
    g = _finite(g, "g")
    # Accept π/2 typed with a few digits (1.5708) as the classical value.
    if abs(g - math.pi / 2) < 1e-6:
        g = math.pi / 2
    if not 0.0 <= g <= math.pi / 2:
        raise InputError(f"g must lie in [0, pi/2] (pi/2 = 1.5708 is classical), got {g:g}")
    return Ancilla(tau, g)


def _finite(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{what} must be finite, got {v}")
    return v
