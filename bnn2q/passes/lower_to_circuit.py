"""LowerToCircuit: emit the gates of a scheduled quantum network — Schedule → Circuit."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..ir.circuit import (CX, RY, Circuit, Clamp, ComputedAngle, Extremum, H, IfBit, IfCompare, Measure, Param,
                          Reset, SetSum, X)
from ..errors import PassError
from ..ir.plan import FixedAngle, InputAngle, LevelChain, LinearAngle, Schedule
from .base import Pass

#: Angles this close to 0 or π are treated as exactly 0 or π (the classical activation).
ANGLE_EPS = 1e-12

#: The integer variable holding a neuron's z while its chain runs (reassigned per neuron).
Z_VAR = "z"
#: Scratch integer for the further arguments of a max or min.
S_VAR = "s"


@dataclass(frozen=True)
class LowerToCircuit(Pass):
    """Per neuron, in schedule order:

        reset (if the qubit or ancilla was used before)
        rotation R_y(θ_j): a constant, an input angle, or the level chain
            z = −Σ_i k_i + Σ_i 2 k_i m[b_i]          (z = Σ_i k_i y_i, y = 2m − 1)
            R_y(base);  if (z ≥ L) R_y(Δ)  for each step
        or, for a target that computes angles at run time (a LinearAngle left unchained),
            R_y(θ(u) − π m[r])   one rotation with a ComputedAngle, the carry folded in
        before the first chain that reads an auxiliary value (``ir.controller``), its integer
            A = S_0 (= Σ 2 k m[b] − Σ k + Σ k_s A_s + K);  clamp A, or A = max/min(A, S_j) per
            further argument (through the scratch variable ``s``)
        carried state (ancilla activation):  if (m[r]) R_y(−π)   (r: the qubit's last outcome)
        projective readout: m[j] = measure n
        weak readout:       CX(n→a) · R_y(g)[a] · CX(n→a), H[a], m[j] = measure a

    Angles of exactly 0 vanish and π becomes X (R_y(π)|0⟩ = |1⟩; every chain gate acts on a
    basis state when all its angles are 0 or π), so at τ = 0 a fresh neuron is one conditional
    X: ``if (z ≥ L) x`` when it fires above its threshold, ``if (z < L) x`` when a_j < 0 flips
    it. A carried qubit is not in a basis state, so its gates stay rotations."""

    name = "lower-to-circuit"
    accepts = (Schedule,)
    returns = (Circuit,)

    def run(self, schedule: Schedule) -> Circuit:
        qnet = schedule.network
        by_bit = {n.bit: n for n in qnet.neurons}
        g = getattr(qnet.activation, "g", None)
        ops: list = []
        params: list[str] = []
        emitted: set[int] = set()  # auxiliary integers already computed
        for p in schedule.placements:
            if p.reset_qubit:
                ops.append(Reset(p.qubit))
            if p.ancilla is not None and p.reset_ancilla:
                ops.append(Reset(p.ancilla))
            neuron = by_bit[p.bit]
            rule = neuron.angle
            basis = neuron.carry is None  # the qubit starts in |0⟩
            undo = neuron.carry  # the carried outcome still to undo
            if isinstance(rule, FixedAngle):
                ops += _rotation(p.qubit, rule.theta, basis)
            elif isinstance(rule, InputAngle):
                params.append(rule.name)
                ops.append(RY(p.qubit, Param(rule.name)))
            elif isinstance(rule, LevelChain):
                if rule.steps:
                    ops += _aux_ops([t for t, _ in rule.aux], qnet.aux, emitted)
                ops += _chain(p.qubit, rule, basis, qnet.aux)
            elif isinstance(rule, LinearAngle):
                ops.append(RY(p.qubit, ComputedAngle(rule.terms, rule.offset, rule.strict, neuron.carry,
                                                     rule.aux, rule.fn)))
                undo = None
            else:
                raise PassError(f"neuron m[{p.bit}] has a {type(rule).__name__}, which has no lowering")
            if undo is not None:
                ops.append(IfBit(undo, RY(p.qubit, -math.pi)))
            if p.ancilla is None:
                ops.append(Measure(p.qubit, p.bit))
            else:
                ops += [CX(p.qubit, p.ancilla), RY(p.ancilla, g), CX(p.qubit, p.ancilla),
                        H(p.ancilla), Measure(p.ancilla, p.bit)]
        int_vars = (Z_VAR,) if any(isinstance(op, SetSum) and op.var == Z_VAR for op in ops) else ()
        if emitted:
            scratch = (S_VAR,) if any(isinstance(op, Extremum) for op in ops) else ()
            int_vars += tuple(qnet.aux[t].var for t in sorted(emitted)) + scratch
        return Circuit(schedule.n_qubits, qnet.n_bits, tuple(ops), tuple(params), int_vars)


def _is(theta: float, value: float) -> bool:
    return abs(theta - value) <= ANGLE_EPS


def _rotation(qubit: int, theta: float, basis: bool = True) -> list:
    if _is(theta, 0.0):
        return []
    if basis and _is(theta, math.pi):
        return [X(qubit)]
    return [RY(qubit, float(theta))]


def _sum(var: str, bits, aux_terms, constant: int, aux: tuple) -> SetSum:
    """var = Σ k (2 m[b] − 1) + Σ k_t A_t + constant."""
    return SetSum(var, tuple((b, 2 * k) for b, k in bits), constant - sum(k for _, k in bits),
                  tuple((aux[t].var, k) for t, k in aux_terms))


def _aux_ops(needed, aux: tuple, emitted: set) -> list:
    """The operations computing the auxiliary integers ``needed`` and those they read, each once."""
    ops = []
    for t in needed:
        if t in emitted:
            continue
        value = aux[t]
        for arg in value.args:
            ops += _aux_ops([s for s, _ in arg.aux], aux, emitted)
        first, *rest = value.args
        ops.append(_sum(value.var, first.bits, first.aux, first.constant, aux))
        if value.kind == "clamp":
            ops.append(Clamp(value.var, value.low, value.high))
        for arg in rest:
            ops += [_sum(S_VAR, arg.bits, arg.aux, arg.constant, aux), Extremum(value.var, S_VAR, value.kind)]
        emitted.add(t)
    return ops


def _chain(qubit: int, chain: LevelChain, basis: bool, aux: tuple = ()) -> list:
    ops = []
    if chain.steps:
        ops.append(_sum(Z_VAR, chain.terms, chain.aux, 0, aux))
    classical = basis and all(_is(abs(t), 0.0) or _is(abs(t), math.pi) for t in chain.values())
    if classical and len(chain.steps) == 1:
        # One threshold: a single conditional X on the side of the threshold that fires.
        level, _ = chain.steps[0]
        op = "<" if _is(chain.base, math.pi) else ">="
        return ops + [IfCompare(Z_VAR, op, level, X(qubit))]
    ops += _rotation(qubit, chain.base, basis)
    for level, delta in chain.steps:
        gate = X(qubit) if classical else RY(qubit, float(delta))
        ops.append(IfCompare(Z_VAR, ">=", level, gate))
    return ops
