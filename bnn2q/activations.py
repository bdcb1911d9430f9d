"""Quantum neuron activations (SPEC §2), registered by name and resolved in one place.

The simulator, the lowering and the fine-tuning layer all read the angle, the firing
probability and the weak measurement from here, so they cannot drift apart. The math is
written once against a tiny array backend (NumPy here; TensorFlow in ``bnn2q.train``).

rotation (knob τ ≥ 0):   θ(u) = π σ_τ(u), σ_0(u) = [u ≥ 0], σ_τ(u) = 1 / (1 + e^(−u/τ)); the
                         neuron qubit gets R_y(θ) and is measured: P(s = 1) = sin²(θ/2).

ancilla (knob g ∈ [0, π/2], the paper's network): neuron qubit j keeps its real state
    cos(φ/2)|0⟩ + sin(φ/2)|1⟩ from layer to layer. Layer ℓ+1 rotates it by R_y(θ(u) − π r),
    r its last outcome, then an ancilla |0⟩ coupled by CX(n→a)·R_y(g)[a]·CX(n→a), H[a] and
    measured gives the output bit r'. On the neuron this is the weak measurement
        M_1 = diag(√((1 − sin g)/2), √((1 + sin g)/2)),  M_0 = diag(√((1 + sin g)/2), √((1 − sin g)/2)),
    P(r' = 1) = (1 − sin g · cos φ)/2, and the neuron keeps M_r'|ψ⟩ / ‖M_r'|ψ⟩‖. The last
    hidden layer is measured projectively. After a projective measurement the state is |r⟩, so
    R_y(θ − π r) brings it to angle θ: at g = π/2 this is the rotation activation exactly.

ancilla-reset (the memoryless reduction): every layer starts from fresh |0⟩ neuron qubits and
    g acts on every hidden layer: P(r = s) = (1 + sin g)/2, a classical bit flip of probability
    (1 − sin g)/2, so P(r = 1) = (1 − sin g)/2 + sin g · P(s = 1).

Knob units: the paper's stretch a equals 2τ on the same pre-activation,
(1 + sin(π/2 · tanh(u/a)))/2 = sin²(π σ_τ(u)/2) when a = 2τ.
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
    def step(x, strict: bool = False):
        x = np.asarray(x)
        return (x > 0 if strict else x >= 0).astype(np.float64)

    @staticmethod
    def sin(x):
        return np.sin(x)

    @staticmethod
    def cos(x):
        return np.cos(x)


NUMPY = NumpyBackend()


@dataclass(frozen=True)
class Rotation:
    """R_y(θ(u)) on the neuron qubit, then a Z measurement. Classical at τ = 0."""

    quantumness: float = 0.0
    name = "rotation"
    #: Qubits one neuron needs at a time (the neuron, plus its ancilla).
    min_qubits = 1
    #: Whether neuron qubits carry their state from layer to layer.
    memory = False

    @property
    def is_classical(self) -> bool:
        return self.quantumness == 0.0

    @property
    def fidelity(self) -> float:
        """sin g of the readout: 1 for a projective measurement."""
        return 1.0

    def squash(self, u, xp: Any = NUMPY, strict: bool = False):
        """σ_τ(u) ∈ [0, 1]: the neuron's rotation as a fraction of π (``strict``: at τ = 0 fire
        on u > 0, a Heaviside neuron; σ_τ is the same for τ > 0)."""
        if self.quantumness == 0.0:
            return xp.step(u, strict)
        return xp.sigmoid(u / self.quantumness)

    def angle(self, u, xp: Any = NUMPY, strict: bool = False):
        """θ(u) = π σ_τ(u), the R_y angle of the neuron qubit."""
        return xp.pi * self.squash(u, xp, strict)

    def neuron_p_one(self, u, xp: Any = NUMPY, strict: bool = False):
        """P(s = 1) = sin²(θ/2) for the neuron qubit itself, rotated from |0⟩."""
        half = xp.sin(self.angle(u, xp, strict) / 2)
        return half * half

    def p_one(self, u, xp: Any = NUMPY, strict: bool = False):
        """P(output bit = 1 | u) of a neuron rotated from |0⟩ and read out."""
        f = self.fidelity
        if f == 1.0:
            return self.neuron_p_one(u, xp, strict)
        return (1.0 - f) / 2.0 + f * self.neuron_p_one(u, xp, strict)

    def knobs(self) -> str:
        return f"τ = {self.quantumness:g}"


@dataclass(frozen=True)
class AncillaReset(Rotation):
    """Rotation-prepared neuron on a fresh qubit, weakly read out through an ancilla at angle g:
    the classical bit flip P(r ≠ s) = (1 − sin g)/2 on every hidden layer.

    Circuit: CX(n→a) · R_y(g)[a] · CX(n→a), H[a], measure a. Classical at g = π/2 (and τ = 0)."""

    g: float = math.pi / 2
    name = "ancilla-reset"
    min_qubits = 2

    @property
    def is_classical(self) -> bool:
        return self.quantumness == 0.0 and self.g == math.pi / 2

    @property
    def fidelity(self) -> float:
        """sin g: P(r = s) = (1 + sin g) / 2."""
        return math.sin(self.g)

    def knobs(self) -> str:
        return f"τ = {self.quantumness:g}, g = {self.g:.4g}"


@dataclass(frozen=True)
class Ancilla(AncillaReset):
    """The paper's network: neuron qubits carry their weakly measured state to the next layer
    (see the module docstring). Every hidden layer but the last is read out weakly at g."""

    name = "ancilla"
    memory = True

    def kraus(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Diagonals of (M_0, M_1) on the neuron: (√((1 ± sin g)/2), √((1 ∓ sin g)/2))."""
        f = self.fidelity
        hi, lo = math.sqrt((1 + f) / 2), math.sqrt(max(0.0, (1 - f) / 2))
        return (hi, lo), (lo, hi)

    def p_one(self, u, xp: Any = NUMPY, strict: bool = False):
        raise TypeError("the ancilla activation has memory: a neuron's P(fire) depends on its "
                        "qubit's state, not on u alone; sample it with the stateful update")

    def weak_p_one(self, one_sq, fidelity: float | None = None):
        """P(r = 1) = (1 − f)/2 + f · |⟨1|ψ⟩|² for a neuron whose |1⟩ amplitude squared is
        ``one_sq`` (f = sin g; f = 1 for the projective last layer)."""
        f = self.fidelity if fidelity is None else fidelity
        return (1.0 - f) / 2.0 + f * one_sq


ACTIVATIONS = {"rotation": Rotation, "ancilla": Ancilla, "ancilla-reset": AncillaReset}


def get(name: str = "rotation", quantumness: float = 0.0, g: float = math.pi / 2) -> Rotation:
    """Resolve an activation by name, checking its knobs.

    Args:
        name: ``"rotation"``, ``"ancilla"`` (the paper's network, neurons keep their state) or
            ``"ancilla-reset"`` (the memoryless reduction); an activation object passes through.
        quantumness: τ ≥ 0 (for the ancilla activations, the neuron's own τ; default 0).
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
    return ACTIVATIONS[name](tau, g)


def tau_from_a(a: float) -> float:
    """The paper's stretch a in bnn2q's units: τ = a / 2 (same pre-activation, same P(fire))."""
    value = _finite(a, "a")
    if value < 0:
        raise InputError(f"the paper's stretch a must be >= 0 (0 is classical), got {value:g}")
    return value / 2.0


def _finite(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{what} must be finite, got {v}")
    return v
