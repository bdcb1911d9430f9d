"""LowerToCircuit: emit the gates of a scheduled quantum network — Schedule → Circuit."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..ir.circuit import CX, RY, Circuit, ComputedAngle, H, IfBit, IfCompare, Measure, Param, Reset, SetSum, X
from ..errors import PassError
from ..ir.plan import FixedAngle, InputAngle, LevelChain, LinearAngle, Schedule
from .base import Pass

#: Angles this close to 0 or π are treated as exactly 0 or π (the classical activation).
ANGLE_EPS = 1e-12

#: The integer variable holding a neuron's z while its chain runs (reassigned per neuron).
Z_VAR = "z"


@dataclass(frozen=True)
class LowerToCircuit(Pass):
    """Per neuron, in schedule order:

        reset (if the qubit or ancilla was used before)
        rotation R_y(θ_j): a constant, an input angle, or the level chain
            z = −Σ_i k_i + Σ_i 2 k_i m[b_i]          (z = Σ_i k_i y_i, y = 2m − 1)
            R_y(base);  if (z ≥ L) R_y(Δ)  for each step
        or, for a target that computes angles at run time (a LinearAngle left unchained),
            R_y(θ(u) − π m[r])   one rotation with a ComputedAngle, the carry folded in
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
                ops += _chain(p.qubit, rule, basis)
            elif isinstance(rule, LinearAngle):
                ops.append(RY(p.qubit, ComputedAngle(rule.terms, rule.offset, rule.strict, neuron.carry)))
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
        int_vars = (Z_VAR,) if any(isinstance(op, SetSum) for op in ops) else ()
        return Circuit(schedule.n_qubits, qnet.n_bits, tuple(ops), tuple(params), int_vars)


def _is(theta: float, value: float) -> bool:
    return abs(theta - value) <= ANGLE_EPS


def _rotation(qubit: int, theta: float, basis: bool = True) -> list:
    if _is(theta, 0.0):
        return []
    if basis and _is(theta, math.pi):
        return [X(qubit)]
    return [RY(qubit, float(theta))]


def _chain(qubit: int, chain: LevelChain, basis: bool) -> list:
    ops = []
    if chain.steps:
        constant = -sum(k for _, k in chain.terms)
        ops.append(SetSum(Z_VAR, tuple((b, 2 * k) for b, k in chain.terms), constant))
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
