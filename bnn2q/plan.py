"""The quantum-neuron plan: the IR between the neuron-level ``Network`` and the gate-level
``Circuit``. ``InsertActivation`` builds it, ``PruneLevels`` approximates it, ``AllocateQubits``
schedules it on physical qubits, ``LowerToCircuit`` turns it into gates.

Every hidden neuron j owns bit m[j] (layer after layer, the source's unit order) and an angle
rule — how its R_y angle θ_j is obtained:

    FixedAngle(θ)      known at compile time (first layer with the inputs baked in)
    InputAngle(name)   a program input, computed on the host (first layer per sample; every
                       layer in the layerwise strategy, per shot)
    LevelChain         θ as a function of the previous layer's measured bits (feed-forward)

LevelChain. With spins y_i = 2 m_i − 1 of the previous layer, z = Σ_i w_i y_i (w_i = ±1) takes
the levels L_0 < L_1 < … < L_n (step 2). The rotation R_y(θ(z)) is realised as R_y(base)
followed by conditional R_y(Δ_k) if z ≥ L_k; since R_y angles add,

    θ'(z) = base + Σ_{k: L_k ≤ z} Δ_k,

which equals θ(z) exactly when base = θ(L_0) and Δ_k = θ(L_k) − θ(L_{k−1}). Pruning keeps
fewer steps, with |θ'(z) − θ(z)| bounded per neuron; ``error`` is the resulting bound on
|P'(bit = 1) − P(bit = 1)| over every level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class FixedAngle:
    """θ known at compile time."""

    theta: float


@dataclass(frozen=True)
class InputAngle:
    """θ bound at run time under ``name``."""

    name: str


@dataclass(frozen=True)
class LevelChain:
    """θ(z) over the integer levels of z = Σ_i w_i (2 m[b_i] − 1).

    terms:  ((bit b_i, weight w_i), ...) with w_i = ±1, bits of register m.
    levels: the reachable values L_0 < … < L_n of z.
    exact:  θ(L_k), the activation's angle at each level.
    base, steps: the realised chain, θ'(z) = base + Σ_{(L, Δ) ∈ steps, L ≤ z} Δ.
    error:  max over levels of |P'(1) − P(1)| (0 for an exact chain)."""

    terms: tuple[tuple[int, int], ...]
    levels: tuple[int, ...]
    exact: tuple[float, ...]
    base: float
    steps: tuple[tuple[int, float], ...]
    error: float = 0.0

    def realised(self) -> list[float]:
        """θ'(L_k) at every level."""
        out, theta, k = [], self.base, 0
        for level in self.levels:
            while k < len(self.steps) and self.steps[k][0] <= level:
                theta += self.steps[k][1]
                k += 1
            out.append(theta)
        return out


AngleRule = Union[FixedAngle, InputAngle, LevelChain]


@dataclass(frozen=True)
class QuantumNeuron:
    """Hidden neuron ``index`` of ``layer``; its output bit is m[bit]."""

    layer: int
    index: int
    bit: int
    angle: AngleRule


@dataclass(frozen=True)
class QuantumLayer:
    """One hidden layer: neurons in source order, bits m[start:stop]."""

    name: str
    neurons: tuple[QuantumNeuron, ...]
    start: int
    stop: int


@dataclass(frozen=True, eq=False)
class QuantumNetwork:
    """Hidden layers with their activation inserted (``activation`` from ``bnn2q.activations``)."""

    layers: tuple[QuantumLayer, ...]
    activation: object
    source: str = "<model>"

    @property
    def n_bits(self) -> int:
        return self.layers[-1].stop if self.layers else 0

    @property
    def neurons(self) -> list[QuantumNeuron]:
        return [n for layer in self.layers for n in layer.neurons]

    @property
    def layout(self) -> list[tuple[str, int, int]]:
        """[(layer name, start, stop)] slices of register m."""
        return [(layer.name, layer.start, layer.stop) for layer in self.layers]


@dataclass(frozen=True)
class Placement:
    """Where neuron m[bit] runs: its qubit, its ancilla (ancilla activation) and whether each
    must be reset first because an earlier neuron used it."""

    bit: int
    qubit: int
    ancilla: int | None
    reset_qubit: bool
    reset_ancilla: bool


@dataclass(frozen=True, eq=False)
class Schedule:
    """A QuantumNetwork placed on ``n_qubits`` physical qubits, neurons in emission order."""

    network: QuantumNetwork
    placements: tuple[Placement, ...]
    n_qubits: int
