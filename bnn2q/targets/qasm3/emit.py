"""OpenQASM 3 from a Circuit, built as an ``openqasm3`` AST and printed by its printer.

Two dialects of the same program:

- ``standard``: ``include "stdgates.inc";`` and its gates ``ry``, ``x``, ``h``, ``cx`` — what
  the OpenQASM 3 specification and Qiskit's importer read;
- ``braket``: no include and Braket's native names (``cnot``), since Braket's simulators do not
  find ``stdgates.inc``.

Input angles become ``input float[64] theta_<j>;``, the feed-forward variables ``int[N]`` (a
neuron's sum ``z``, auxiliary values ``a<t>`` — a ReLU, clip or max of integer sums, computed
by conditional assignments — and the scratch ``s``); all outcomes land in one register ``bit[N] m``.
"""

from __future__ import annotations

import openqasm3
from openqasm3 import ast

from ...ir.circuit import CX, RY, Circuit, Clamp, Extremum, H, IfBit, IfCompare, Measure, Param, Reset, SetSum, X

QUBITS = "q"
BITS = "m"
DIALECTS = {
    "standard": {RY: "ry", X: "x", H: "h", CX: "cx"},
    "braket": {RY: "ry", X: "x", H: "h", CX: "cnot"},
}


def to_ast(circuit: Circuit, dialect: str = "standard", int_bits: int = 32) -> ast.Program:
    """The OpenQASM 3 program of ``circuit``."""
    names = DIALECTS[dialect]
    statements: list = [ast.Include("stdgates.inc")] if dialect == "standard" else []
    statements += [
        ast.IODeclaration(ast.IOKeyword.input, ast.FloatType(ast.IntegerLiteral(64)), ast.Identifier(name))
        for name in circuit.params
    ]
    statements.append(ast.QubitDeclaration(ast.Identifier(QUBITS), ast.IntegerLiteral(circuit.n_qubits)))
    statements.append(
        ast.ClassicalDeclaration(ast.BitType(ast.IntegerLiteral(circuit.n_bits)), ast.Identifier(BITS), None)
    )
    for var in circuit.int_vars:
        statements.append(ast.ClassicalDeclaration(ast.IntType(ast.IntegerLiteral(int_bits)), ast.Identifier(var),
                                                   None))
    for op in circuit.ops:
        if isinstance(op, SetSum):
            statements += _sums(op)
        elif isinstance(op, (Clamp, Extremum)):
            statements += _assignments(op)
        else:
            statements.append(_statement(op, names))
    return ast.Program(statements=statements, version="3.0")


def _assign_if(var: str, op: str, value: ast.Expression) -> ast.BranchingStatement:
    """``if (var op value) { var = value; }``"""
    condition = ast.BinaryExpression(ast.BinaryOperator[op], ast.Identifier(var), value)
    assign = ast.ClassicalAssignment(ast.Identifier(var), ast.AssignmentOperator["="], value)
    return ast.BranchingStatement(condition, [assign], [])


def _assignments(op) -> list:
    """A clamp (ReLU, clip) or a running max/min as conditional assignments."""
    if isinstance(op, Clamp):
        out = [] if op.low is None else [_assign_if(op.var, "<", _int(op.low))]
        return out + ([] if op.high is None else [_assign_if(op.var, ">", _int(op.high))])
    return [_assign_if(op.var, "<" if op.op == "max" else ">", ast.Identifier(op.other))]


def dumps(circuit: Circuit, dialect: str = "standard", int_bits: int = 32) -> str:
    """OpenQASM 3 text of ``circuit``."""
    return openqasm3.dumps(to_ast(circuit, dialect, int_bits))


def _qubit(i: int) -> ast.IndexedIdentifier:
    return ast.IndexedIdentifier(ast.Identifier(QUBITS), [[ast.IntegerLiteral(i)]])


def _int(value: int) -> ast.Expression:
    # A negative literal parses as unary minus; build it the same way so trees compare equal.
    if value < 0:
        return ast.UnaryExpression(ast.UnaryOperator["-"], ast.IntegerLiteral(-value))
    return ast.IntegerLiteral(value)


def _angle(angle) -> ast.Expression:
    if isinstance(angle, Param):
        return ast.Identifier(angle.name)
    value = float(angle)
    if value < 0:
        return ast.UnaryExpression(ast.UnaryOperator["-"], ast.FloatLiteral(-value))
    return ast.FloatLiteral(value)


def _gate(op, names) -> ast.QuantumGate:
    args = [_angle(op.angle)] if isinstance(op, RY) else []
    return ast.QuantumGate([], ast.Identifier(names[type(op)]), args, [_qubit(q) for q in op.qubits])


#: Terms per assignment. Parsers recurse once per term of a left-associated sum (Braket's
#: overflows Python's stack near 300), so longer sums continue with ``z += …``.
SUM_CHUNK = 32


def _sums(op: SetSum) -> list:
    """``z = c ± |k|·m[b] …`` for the first terms, then ``z += …`` per further chunk; terms
    over integer variables (auxiliary values) read the variable instead of a bit."""
    terms = [(("bit", b), k) for b, k in op.terms] + [(("var", v), k) for v, k in op.var_terms]
    chunks = [terms[i : i + SUM_CHUNK] for i in range(0, len(terms), SUM_CHUNK)] or [()]
    statements = []
    for n, chunk in enumerate(chunks):
        expr = _int(op.constant) if n == 0 else None
        for (kind, ref), coeff in chunk:
            if kind == "bit":
                bit_ref = ast.IndexExpression(ast.Identifier(BITS), [ast.IntegerLiteral(ref)])
            else:
                bit_ref = ast.Identifier(ref)
            if expr is None:  # a continuation opens with its signed coefficient
                expr = ast.BinaryExpression(ast.BinaryOperator["*"], _int(coeff), bit_ref)
                continue
            term = ast.BinaryExpression(ast.BinaryOperator["*"], ast.IntegerLiteral(abs(coeff)), bit_ref)
            expr = ast.BinaryExpression(ast.BinaryOperator["+" if coeff > 0 else "-"], expr, term)
        operator = ast.AssignmentOperator["=" if n == 0 else "+="]
        statements.append(ast.ClassicalAssignment(ast.Identifier(op.var), operator, expr))
    return statements


def _statement(op, names):
    if isinstance(op, Measure):
        return ast.QuantumMeasurementStatement(
            ast.QuantumMeasurement(_qubit(op.qubit)),
            ast.IndexedIdentifier(ast.Identifier(BITS), [[ast.IntegerLiteral(op.bit)]]),
        )
    if isinstance(op, Reset):
        return ast.QuantumReset(_qubit(op.qubit))
    if isinstance(op, IfCompare):
        condition = ast.BinaryExpression(ast.BinaryOperator[op.op], ast.Identifier(op.var), _int(op.value))
        return ast.BranchingStatement(condition, [_gate(op.gate, names)], [])
    if isinstance(op, IfBit):
        bit = ast.IndexExpression(ast.Identifier(BITS), [ast.IntegerLiteral(op.bit)])
        condition = ast.BinaryExpression(ast.BinaryOperator["=="], bit, ast.IntegerLiteral(1))
        return ast.BranchingStatement(condition, [_gate(op.gate, names)], [])
    return _gate(op, names)
