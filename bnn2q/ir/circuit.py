"""The gate-level circuit IR that the lowering emits and every target translates.

A ``Circuit`` is a flat list of operations on ``n_qubits`` physical qubits, one classical bit
register ``m`` of ``n_bits`` bits, and integer variables for classical feed-forward:

    RY(q, θ)        R_y(θ) = exp(−iθY/2); on |0⟩ it gives P(1) = sin²(θ/2)
    X(q), H(q)      Pauli X, Hadamard
    CX(c, t)        controlled NOT
    Measure(q, b)   m[b] = measure q   (Z basis, mid-circuit allowed)
    Reset(q)        q ← |0⟩
    SetSum(v, …)    v = c + Σ_i k_i · m[b_i] + Σ_j k_j · v_j   (integer arithmetic on measured bits)
    Clamp(v, lo, hi), Extremum(v, w, op)   a ReLU/clip, a running max/min of integers
    IfCompare(v, op, L, gate)   if (v op L) gate
    IfBit(b, gate)  if (m[b] == 1) gate   (a rotation undoing a neuron qubit's last outcome)

An angle is a float, a ``Param`` (a program input bound per sample or per shot batch) or a
``ComputedAngle`` (computed at run time from measured bits, for targets with real-time classical
arithmetic such as Quantinuum Helios).
Analyses (``depth``, ``counts``) return facts and never change the circuit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Param:
    """A named input angle, bound at run time (``input float[64] name;`` in OpenQASM 3)."""

    name: str


@dataclass(frozen=True)
class ComputedAngle:
    """θ computed at run time from measured bits, with the program's activation:

        θ = activation.angle(u) − π · m[carry],   u = offset + Σ_i w_i (2 m[b_i] − 1)

    over ``terms`` ((bit b_i, real w_i)); ``carry`` (or None) is the bit of the qubit's last
    outcome, whose value r undoes itself by R_y(−π r) (the ancilla activation, SPEC §2).
    ``strict``: at τ = 0 fire on u > 0 (a Heaviside neuron). One rotation per neuron, no
    conditionals; it waits for every bit it reads."""

    terms: tuple[tuple[int, float], ...]
    offset: float
    strict: bool = False
    carry: int | None = None
    aux: tuple[tuple[int, float], ...] = ()  # (auxiliary value, weight): see ``ir.controller``
    fn: object = None  # a UnitFn before the sign, or None

    @property
    def bits(self) -> tuple[int, ...]:
        return tuple(b for b, _ in self.terms) + (() if self.carry is None else (self.carry,))


Angle = Union[float, Param, ComputedAngle]


@dataclass(frozen=True)
class RY:
    """R_y(θ) on ``qubit``."""

    qubit: int
    angle: Angle

    @property
    def qubits(self) -> tuple[int, ...]:
        return (self.qubit,)


@dataclass(frozen=True)
class X:
    """Pauli X (a bit flip) on ``qubit``."""

    qubit: int

    @property
    def qubits(self) -> tuple[int, ...]:
        return (self.qubit,)


@dataclass(frozen=True)
class H:
    """Hadamard on ``qubit``: maps the Z basis to the X basis."""

    qubit: int

    @property
    def qubits(self) -> tuple[int, ...]:
        return (self.qubit,)


@dataclass(frozen=True)
class CX:
    """Controlled NOT: flips ``target`` when ``control`` is |1⟩."""

    control: int
    target: int

    @property
    def qubits(self) -> tuple[int, ...]:
        return (self.control, self.target)


@dataclass(frozen=True)
class Measure:
    """``m[bit] = measure qubit`` in the Z basis."""

    qubit: int
    bit: int

    @property
    def qubits(self) -> tuple[int, ...]:
        return (self.qubit,)


@dataclass(frozen=True)
class Reset:
    """Return ``qubit`` to |0⟩ (after its measurement, so it can host the next neuron)."""

    qubit: int

    @property
    def qubits(self) -> tuple[int, ...]:
        return (self.qubit,)


Gate = Union[RY, X, H, CX]


@dataclass(frozen=True)
class SetSum:
    """``var = constant + Σ coeff · m[bit] + Σ coeff · v`` over ``terms`` ((bit, coeff) pairs)
    and ``var_terms`` ((integer variable v, coeff) pairs), an integer."""

    var: str
    terms: tuple[tuple[int, int], ...]
    constant: int
    var_terms: tuple[tuple[str, int], ...] = ()

    @property
    def qubits(self) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True)
class Clamp:
    """``if (var < low) var = low; if (var > high) var = high`` (None: no bound) — a ReLU or
    clip of an integer sum."""

    var: str
    low: int | None
    high: int | None

    @property
    def qubits(self) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True)
class Extremum:
    """``if (other > var) var = other`` (``op`` "max") or ``<`` ("min"): a running max or min."""

    var: str
    other: str
    op: str

    @property
    def qubits(self) -> tuple[int, ...]:
        return ()


CLASSICAL = (SetSum, Clamp, Extremum)


@dataclass(frozen=True)
class IfCompare:
    """``if (var op value) gate`` with op ``>=`` or ``<``: one conditional gate."""

    var: str
    op: str
    value: int
    gate: Gate

    @property
    def qubits(self) -> tuple[int, ...]:
        return self.gate.qubits


@dataclass(frozen=True)
class IfBit:
    """``if (m[bit] == 1) gate``: one gate conditioned on one measured bit."""

    bit: int
    gate: Gate

    @property
    def qubits(self) -> tuple[int, ...]:
        return self.gate.qubits


CONDITIONALS = (IfCompare, IfBit)
Operation = Union[RY, X, H, CX, Measure, Reset, SetSum, Clamp, Extremum, IfCompare, IfBit]


@dataclass(frozen=True)
class Circuit:
    """A program: ``ops`` in order on ``n_qubits`` qubits, bit register ``m[n_bits]``.

    ``params`` lists the input angles in declaration order; ``int_vars`` the integer
    variables the feed-forward writes."""

    n_qubits: int
    n_bits: int
    ops: tuple
    params: tuple[str, ...] = ()
    int_vars: tuple[str, ...] = ()

    def counts(self) -> Counter:
        """Operation counts by kind; conditional gates count as ``if``."""
        return Counter("if" if isinstance(op, CONDITIONALS) else type(op).__name__.lower() for op in self.ops)

    def depth(self) -> int:
        """Quantum depth: the longest chain of operations that share a qubit, or where a
        conditional gate (or a computed angle) waits for the measurements it reads (ASAP
        layering).
        Classical assignments take no time of their own."""
        qubit_ready = [0] * self.n_qubits
        bit_ready = [0] * self.n_bits
        var_bits: dict[str, tuple[int, ...]] = {}
        depth = 0
        for op in self.ops:
            if isinstance(op, SetSum):
                var_bits[op.var] = tuple(b for b, _ in op.terms) + tuple(
                    b for v, _ in op.var_terms for b in var_bits.get(v, ()))
                continue
            if isinstance(op, Extremum):
                var_bits[op.var] = var_bits.get(op.var, ()) + var_bits.get(op.other, ())
                continue
            if isinstance(op, Clamp):
                continue
            start = max((qubit_ready[q] for q in op.qubits), default=0)
            if isinstance(op, IfCompare):
                start = max([start] + [bit_ready[b] for b in var_bits.get(op.var, ())])
            elif isinstance(op, IfBit):
                start = max(start, bit_ready[op.bit])
            if isinstance(getattr(op, "angle", None), ComputedAngle):
                start = max([start] + [bit_ready[b] for b in op.angle.bits])
            end = start + 1
            for q in op.qubits:
                qubit_ready[q] = end
            if isinstance(op, Measure):
                bit_ready[op.bit] = end
            depth = max(depth, end)
        return depth
