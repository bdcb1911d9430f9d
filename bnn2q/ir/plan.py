"""The quantum-neuron plan: the IR between the neuron-level ``Network`` and the gate-level
``Circuit``. ``InsertActivation`` builds it, ``BuildLevelChains`` turns feed-forward angles
into integer arithmetic and conditional rotations, ``AllocateQubits`` schedules it on physical
qubits, ``LowerToCircuit`` turns it into gates.

Every hidden neuron j owns bit m[j] (layer after layer, the source's unit order) and an angle
rule — how its R_y angle θ_j is obtained:

    FixedAngle(θ)      known at compile time (first layer with the inputs baked in)
    InputAngle(name)   a program input, computed on the host (first layer per sample; every
                       layer in the layerwise strategy, per shot)
    LinearAngle        θ = activation.angle(Σ_i w_i y_i + c) of earlier measured bits: the
                       exact rule, before it is made arithmetic
    LevelChain         the same as integer arithmetic on measured bits and conditional
                       rotations (feed-forward)

LevelChain. With spins y_i = 2 m_i − 1, z = Σ_i k_i y_i (integers k_i) — plus Σ_t k_t A_t over the
program integers of auxiliary values (``controller``) — and u ≈ unit · z + offset.
The rotation R_y(θ(z)) is realised as R_y(base) followed by a conditional R_y(Δ) if z ≥ L for
each step (L, Δ); since R_y angles add,

    θ'(z) = base + Σ_{(L, Δ): L ≤ z} Δ.

An exact chain has base = θ(L_0) and Δ_k = θ(L_k) − θ(L_{k−1}) over the reachable levels;
pruning and fixed-point rounding keep fewer steps, with the resulting bound on
|P'(bit = 1) − P(bit = 1)| recorded in ``error``.

With the ancilla activation a neuron also undoes its qubit's last outcome: ``carry`` names the
bit whose value r adds R_y(−π r) (SPEC §2), and the layer's ``readout`` is ``weak`` (through an
ancilla) or ``projective`` (the last hidden layer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .controller import UnitFn


@dataclass(frozen=True)
class FixedAngle:
    """θ known at compile time."""

    theta: float


@dataclass(frozen=True)
class InputAngle:
    """θ bound at run time under ``name``."""

    name: str


@dataclass(frozen=True)
class LinearAngle:
    """θ = angle(u), u = Σ_i w_i (2 m[b_i] − 1) + Σ_t v_t a_t + offset over ``terms`` ((bit b_i,
    real w_i)) and ``aux`` ((auxiliary value t, v_t), see ``controller``); with ``fn`` (a
    monotone ``UnitFn`` before the sign) θ = angle(fn(u))."""

    terms: tuple[tuple[int, float], ...]
    offset: float
    strict: bool = False
    aux: tuple[tuple[int, float], ...] = ()
    fn: UnitFn | None = None


@dataclass(frozen=True)
class LevelChain:
    """θ as integer feed-forward: z = Σ_i k_i (2 m[b_i] − 1) + Σ_t k_t A_t over ``terms`` ((bit,
    k_i)) and ``aux`` ((auxiliary value t, k_t), A_t its program integer).

    unit, offset: u ≈ unit · z + offset (``rounding`` bounds |u − (unit z + offset)|, from
        fixed-point weights; 0 when exact).
    base, steps: the realised chain, θ'(z) = base + Σ_{(L, Δ) ∈ steps, L ≤ z} Δ.
    levels, exact: the reachable levels of z and θ there (empty when too many to list).
    error: bound on |P'(1) − P(1)| over every input of the neuron (0 for an exact chain)."""

    terms: tuple[tuple[int, int], ...]
    base: float
    steps: tuple[tuple[int, float], ...]
    unit: float = 1.0
    offset: float = 0.0
    levels: tuple[int, ...] = ()
    exact: tuple[float, ...] = ()
    rounding: float = 0.0
    error: float = 0.0
    aux: tuple[tuple[int, int], ...] = ()

    def values(self) -> list[float]:
        """Every angle the chain can realise, in order of z."""
        out = [self.base]
        for _, delta in self.steps:
            out.append(out[-1] + delta)
        return out

    def realised(self) -> list[float]:
        """θ'(L_k) at every listed level."""
        out, theta, k = [], self.base, 0
        for level in self.levels:
            while k < len(self.steps) and self.steps[k][0] <= level:
                theta += self.steps[k][1]
                k += 1
            out.append(theta)
        return out


AngleRule = Union[FixedAngle, InputAngle, LinearAngle, LevelChain]


@dataclass(frozen=True)
class QuantumNeuron:
    """Hidden neuron ``index`` of ``layer``; its output bit is m[bit]. ``carry``: the bit of its
    qubit's last outcome (ancilla activation, neuron qubits that carry their state)."""

    layer: int
    index: int
    bit: int
    angle: AngleRule
    carry: int | None = None


@dataclass(frozen=True)
class QuantumLayer:
    """One hidden layer: neurons in source order, bits m[start:stop], read out ``weak`` (through
    an ancilla) or ``projective`` (the neuron qubit itself)."""

    name: str
    neurons: tuple[QuantumNeuron, ...]
    start: int
    stop: int
    readout: str = "projective"


@dataclass(frozen=True, eq=False)
class QuantumNetwork:
    """Hidden layers with their activation inserted (``activation`` from ``bnn2q.activations``).

    ``memory``: neuron j of each layer runs on the qubit of neuron j of the layer before
    (the ancilla activation). ``aux``: the auxiliary values the angles read (``AuxValue``, or
    ``IntegerAux`` once ``BuildIntegerAux`` has made them program integers)."""

    layers: tuple[QuantumLayer, ...]
    activation: object
    source: str = "<model>"
    memory: bool = False
    aux: tuple = ()

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
    """Where neuron m[bit] runs: its qubit, its ancilla (weak readout) and whether each must be
    reset first because an earlier neuron used it."""

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
