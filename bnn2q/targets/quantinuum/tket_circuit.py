"""A bnn2q ``Circuit`` as a pytket ``Circuit`` for Quantinuum's H-series (H2, and Helios through
the same QIR).

Layout of the pytket circuit:

* qubits: one register ``q``; ``q[i]`` is bnn2q qubit i.
* outcomes: one 1-bit register per outcome, ``m_<j>[0]`` holds m[j]. One register m would not
  do: H2 limits a classical register to 63 bits and pytket-qir to 64, while a 784-256-256-10
  network measures 512 bits. (H2 allows 4000 registers.)
* feed-forward sums: z = c + Σ_i k_i m[b_i] becomes one classical expression over whole
  registers (``RegAdd``/``RegSub``/``RegMul`` by non-negative constants), stored in an
  unsigned register with an offset so it never goes negative:

      z' = z + OFF = (c + OFF + Σ_{k>0} k m_b) − Σ_{k<0} |k| m_b,   OFF = max(0, −min z)

  Positive terms are added (a balanced tree) before the negative ones are subtracted, so no
  partial sum is negative either, and the register is one bit wider than max z', so a signed
  reading of it (PECOS stores i64) agrees. A single bit inside arithmetic would be simpler
  but pytket-qir turns it into invalid LLVM (``add i64, i1``).
* one sum register and one flag bit per qubit (``z_<q>``, ``f_<q>``): a neuron's classical
  work then only waits for neurons on the same qubit, which run before it anyway.
* ``if (z >= L) gate`` → ``f = 0``, range predicate ``f = (z' ∈ [L + OFF, 2⁶⁴ − 1])``, gate
  conditioned on f; ``if (z < L)`` → ``z' ∈ [0, L + OFF − 1]``. The flag is cleared first
  because pytket-phir lowers a range predicate to ``if (cond) f = 1`` with no else: a flag
  left at 1 by an earlier neuron would fire this one (PECOS shows it at once). Levels out
  of z's range become the plain gate (always) or nothing (never).
* ``IfBit(b, gate)`` → the gate conditioned on ``m_<b>[0] == 1``.

Angles: pytket counts half-turns, so R_y(θ) is ``Ry(θ/π)``; a ``Param`` becomes a sympy
symbol, bound per sample with ``TketProgram.bind`` (H2 takes no symbols).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ...ir.circuit import CX, RY, Circuit, ComputedAngle, H, IfBit, IfCompare, Measure, Param, Reset, SetSum, X
from ...errors import TargetError

#: H2's widest classical register (``max_classical_register_width`` of H2-1 and H2-2).
MAX_REGISTER_WIDTH = 63
UINT64_MAX = (1 << 64) - 1


@dataclass
class TketProgram:
    """A lowered circuit: the pytket ``Circuit`` and where bnn2q's bits live in it.

    m_bits[j]: the pytket ``Bit`` holding m[j]. offsets, widths: per sum register, the offset
    added to z and the register's width. params: input angle names, in the Circuit's order.
    compiled: the circuit compiled for H2 (set by the target when no input is left to bind)."""

    circuit: object
    m_bits: list
    offsets: dict = field(default_factory=dict)
    widths: dict = field(default_factory=dict)
    params: tuple = ()
    compiled: object = None

    def bind(self, values: dict):
        """A copy of the circuit with its input angles bound (radians, by name)."""
        import sympy

        missing = [p for p in self.params if p not in values]
        if missing:
            raise TargetError(f"input angles {missing[:3]} are not bound; pass inputs= (one sample)")
        circ = self.circuit.copy()
        if self.params:
            # the circuit holds Ry(θ/π) with θ a symbol in radians
            circ.symbol_substitution({sympy.Symbol(p): float(values[p]) for p in self.params})
        return circ


def to_tket(circuit: Circuit, name: str = "bnn2q") -> TketProgram:
    """Lower a bnn2q Circuit to pytket (see the module docstring)."""
    from pytket.circuit import Circuit as TkCircuit

    circ = TkCircuit(name=name)
    q = circ.add_q_register("q", circuit.n_qubits)
    m_bits = [circ.add_c_register(f"m_{j}", 1)[0] for j in range(circuit.n_bits)]
    owner = _sum_owners(circuit)
    registers, offsets, widths = {}, {}, {}
    for reg_name, (lo, hi) in _ranges(circuit, owner).items():
        offset = max(0, -lo)
        width = max(2, (hi + offset).bit_length() + 1)
        if width > MAX_REGISTER_WIDTH:
            raise TargetError(f"a feed-forward sum needs {width} bits, more than H2's {MAX_REGISTER_WIDTH}-bit "
                              "registers; lower --int-bits or use a target with strategy 'layerwise'")
        registers[reg_name] = circ.add_c_register(reg_name, width)
        offsets[reg_name], widths[reg_name] = offset, width
    flags = {}
    for op in circuit.ops:
        if isinstance(op, IfCompare) and op.gate.qubits[0] not in flags:
            flags[op.gate.qubits[0]] = circ.add_c_register(f"f_{op.gate.qubits[0]}", 1)[0]
    lowering = _Lowering(circ, q, m_bits, registers, offsets, flags)
    current: dict[str, str] = {}  # variable -> the register holding its latest value
    for i, op in enumerate(circuit.ops):
        if isinstance(op, SetSum):
            if i in owner:
                current[op.var] = owner[i]
                lowering.set_sum(op, owner[i])
        elif isinstance(op, IfCompare):
            lowering.if_compare(op, current[op.var])
        else:
            lowering.op(op)
    return TketProgram(circ, m_bits, offsets, widths, tuple(circuit.params))


def _sum_owners(circuit: Circuit) -> dict[int, str]:
    """For each SetSum (by index) that something reads: the register it writes, named after the
    qubit of the first conditional gate that reads it."""
    owner, pending = {}, {}
    for i, op in enumerate(circuit.ops):
        if isinstance(op, SetSum):
            pending[op.var] = i
        elif isinstance(op, IfCompare) and op.var in pending:
            owner[pending.pop(op.var)] = f"{op.var}_{op.gate.qubits[0]}"
    return owner


def _ranges(circuit: Circuit, owner: dict[int, str]) -> dict[str, tuple[int, int]]:
    """Smallest and largest value each sum register holds."""
    ranges: dict[str, tuple[int, int]] = {}
    for i, reg in owner.items():
        op = circuit.ops[i]
        lo = op.constant + sum(k for _, k in op.terms if k < 0)
        hi = op.constant + sum(k for _, k in op.terms if k > 0)
        old = ranges.get(reg, (lo, hi))
        ranges[reg] = (min(old[0], lo), max(old[1], hi))
    return ranges


class _Lowering:
    """Emits the pytket commands of one bnn2q operation at a time."""

    def __init__(self, circ, q, m_bits, registers, offsets, flags):
        self.circ, self.q, self.m_bits = circ, q, m_bits
        self.registers, self.offsets, self.flags = registers, offsets, flags

    def angle(self, a):
        import sympy

        if isinstance(a, Param):
            return sympy.Symbol(a.name) / sympy.pi
        if isinstance(a, ComputedAngle):
            raise TargetError("target 'quantinuum' (pytket) has no angles computed at run time; "
                              "compile for target 'helios' or let the compiler build level chains")
        return float(a) / math.pi

    def gate(self, g, **condition) -> None:
        from pytket.circuit import OpType

        if isinstance(g, RY):
            self.circ.add_gate(OpType.Ry, [self.angle(g.angle)], [self.q[g.qubit]], **condition)
        elif isinstance(g, X):
            self.circ.add_gate(OpType.X, [], [self.q[g.qubit]], **condition)
        elif isinstance(g, H):
            self.circ.add_gate(OpType.H, [], [self.q[g.qubit]], **condition)
        elif isinstance(g, CX):
            self.circ.add_gate(OpType.CX, [], [self.q[g.control], self.q[g.target]], **condition)
        else:
            raise TargetError(f"target 'quantinuum' cannot lower {type(g).__name__}")

    def op(self, op) -> None:
        from pytket.circuit import OpType

        if isinstance(op, Measure):
            self.circ.Measure(self.q[op.qubit], self.m_bits[op.bit])
        elif isinstance(op, Reset):
            self.circ.add_gate(OpType.Reset, [self.q[op.qubit]])
        elif isinstance(op, IfBit):
            self.gate(op.gate, condition_bits=[self.m_bits[op.bit]], condition_value=1)
        else:
            self.gate(op)

    def set_sum(self, op: SetSum, reg_name: str) -> None:
        from pytket.circuit import ClExpr, ClOp, ClRegVar, WiredClExpr

        out = self.registers[reg_name]
        start = op.constant + self.offsets[reg_name]
        terms = [(b, k) for b, k in op.terms if k]
        if not terms:
            self.circ.add_c_setreg(start, out)
            return
        # Every bit is read as a whole 1-bit register: variable i is the register of terms[i].
        var = lambda i, k: ClRegVar(i) if abs(k) == 1 else ClExpr(ClOp.RegMul, [ClRegVar(i), abs(k)])  # noqa: E731
        pos = [var(i, k) for i, (_, k) in enumerate(terms) if k > 0]
        neg = [var(i, k) for i, (_, k) in enumerate(terms) if k < 0]
        expr = _balanced(([start] if start else []) + pos) if pos else start
        if neg:
            expr = ClExpr(ClOp.RegSub, [expr, _balanced(neg)])
        if not isinstance(expr, ClExpr):  # one register alone: z = m_b + 0
            expr = ClExpr(ClOp.RegAdd, [expr, 0])
        args = [self.m_bits[b] for b, _ in terms] + out.to_list()
        reg_posn = {i: [i] for i in range(len(terms))}
        output = list(range(len(terms), len(args)))
        self.circ.add_clexpr(WiredClExpr(expr, {}, reg_posn, output), args)

    def if_compare(self, op: IfCompare, reg_name: str) -> None:
        z = self.registers[reg_name]
        level = op.value + self.offsets[reg_name]
        top = (1 << z.size) - 1
        if op.op == ">=":
            always, never, lo, hi = level <= 0, level > top, level, UINT64_MAX
        elif op.op == "<":
            always, never, lo, hi = level > top, level <= 0, 0, level - 1
        else:
            raise TargetError(f"target 'quantinuum' cannot lower the comparison {op.op!r}")
        if always:
            return self.gate(op.gate)
        if never:
            return None
        flag = self.flags[op.gate.qubits[0]]
        self.circ.add_c_setbits([False], [flag])
        self.circ.add_c_range_predicate(lo, hi, z.to_list(), flag)
        self.gate(op.gate, condition_bits=[flag], condition_value=1)


def _balanced(items: list):
    """Σ items as a balanced tree of RegAdd (depth log₂ n, not n)."""
    from pytket.circuit import ClExpr, ClOp

    while len(items) > 1:
        items = [ClExpr(ClOp.RegAdd, items[i:i + 2]) if i + 1 < len(items) else items[i]
                 for i in range(0, len(items), 2)]
    return items[0]
