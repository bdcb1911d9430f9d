"""Guppy source for Quantinuum Helios: one rotation per neuron, its angle computed at run time.

Helios runs real-time classical arithmetic (integers, floats, loops) between gates, so a
neuron fed by measured bits needs no level chain: the program computes

    u_j = offset_j + Σ_i w_ji (2 m_i − 1),    θ_j = activation.angle(u_j) − π m[carry_j]

and applies R_y(θ_j) once. The angle expression is produced by evaluating
``activation.angle`` itself on symbolic Guppy expressions (``guppy_expr.GUPPY``, an array
backend like NumPy's), so the program cannot drift from the simulator's definition: θ = π σ_τ(u), σ_0 the
step. Where a neuron's weights are integer multiples of one unit (±1 kernels with a folded
batch-norm) the sum is an integer z and u = unit·z + offset, exactly as the simulator
computes it; otherwise u is summed in floating point.

The program follows the compiler's qubit schedule (which qubit, which ancilla, which resets),
with the weights as compile-time tables and one loop per layer: Guppy and Selene compile loops
in seconds where straight-line code of a 64-64-64 network takes minutes. Outcomes are emitted
with ``output("m", bit)`` in register order.
"""

from __future__ import annotations

import math

import numpy as np

from ...errors import TargetError
from ...passes.build_level_chains import integer_weights
from ...ir.plan import FixedAngle, InputAngle, LinearAngle, Schedule
from . import guppy_aux
from .guppy_expr import GUPPY, Expr

#: Integer sums follow BuildLevelChains' rule for this width (|z| < 2³⁰); weights that are not
#: exact multiples of one unit within it are summed as floats.
INT_BITS = 32


HEADER = '''\
"""bnn2q program for Quantinuum Helios (Guppy): {what}.

Bits m[0:{n_bits}] are emitted with output("m", bit) in order; layers: {layout}.
Each neuron's R_y angle is computed at run time from the bits before it (see bnn2q.targets.guppy).
THETA_IN holds the host's first-layer angles (radians, by bit) when the sample is bound at run time
(BAKED_IN is False): set them before compiling main.
"""

from guppylang import guppy
from guppylang.std.angles import angle
from guppylang.std.builtins import array, comptime
from guppylang.std.math import cos, exp, sin
from guppylang.std.platform import output
from guppylang.std.quantum import cx, discard_array, h, project_z, qubit, reset, ry

N_QUBITS = {n_qubits}
N_BITS = {n_bits}
PI = {pi!r}
BAKED_IN = {baked_in}
THETA_IN = [0.0] * N_BITS


@guppy
def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + exp(-x))


@guppy
def step(x: float) -> float:
    if x >= 0.0:
        return 1.0
    return 0.0


@guppy
def step_strict(x: float) -> float:
    if x > 0.0:
        return 1.0
    return 0.0


@guppy
def weak_read(qs: array[qubit, {n_qubits}], n: int, a: int) -> bool:
    """The ancilla a reads neuron n weakly: CX(n→a) · R_y(g)[a] · CX(n→a), H[a], measure a."""
    cx(qs[n], qs[a])
    ry(qs[a], angle({g_half_turns!r}))
    cx(qs[n], qs[a])
    h(qs[a])
    return project_z(qs[a]).read()
'''


def guppy_source(schedule: Schedule, act) -> str:
    """The Guppy module (text) of a scheduled network; its entry point is ``main``."""
    qnet = schedule.network
    place = {p.bit: p for p in schedule.placements}
    g = getattr(act, "g", math.pi / 2)
    layout = ", ".join(f"{name} m[{a}:{b}]" for name, a, b in qnet.layout)
    baked_in = not any(isinstance(n.angle, InputAngle) for n in qnet.neurons)
    head = HEADER.format(what=f"{qnet.source}, {act.name} activation ({act.knobs()})", n_bits=qnet.n_bits,
                         baked_in=baked_in, layout=layout, n_qubits=schedule.n_qubits, pi=math.pi,
                         g_half_turns=g / math.pi)
    n_aux = len(qnet.aux)
    tables, body, done = [], [], set()
    for k, layer in enumerate(qnet.layers):
        fresh = [t for t in guppy_aux.needed([n.angle for n in layer.neurons], qnet.aux) if t not in done]
        if fresh:
            done.update(fresh)
            group_tables, lines = guppy_aux.group(k, fresh, qnet.aux, n_aux)
            tables += [f"{name} = {_literal(v)}" for name, v in group_tables.items()]
            body += lines
        t, b = _layer(k, layer, place, act, n_aux)
        tables += t
        body += b
    main = ["", "", "@guppy", "def main() -> None:",
            "    qs = array(qubit() for _ in range(N_QUBITS))",
            "    m = array(False for _ in range(N_BITS))",
            *([f"    aux = array(0.0 for _ in range({n_aux}))"] if n_aux else []),
            "    theta_in = comptime(THETA_IN)",
            *body,
            "    discard_array(qs)", ""]
    return head + guppy_aux.HELPER + "\n" + "\n".join(tables) + "\n" + "\n".join(main)


def _layer(k: int, layer, place: dict, act, n_aux: int = 0) -> tuple[list[str], list[str]]:
    """(module-level tables, lines of main) for hidden layer k: per neuron j its qubit Q, the
    resets RQ/RA before it, its ancilla A (weak readout), the bit CR it carries (−1: none)."""
    neurons = layer.neurons
    rules = [n.angle for n in neurons]
    weak = layer.readout == "weak"
    placements = [place[n.bit] for n in neurons]
    tables = {f"Q{k}": [p.qubit for p in placements], f"RQ{k}": [p.reset_qubit for p in placements],
              f"CR{k}": [-1 if n.carry is None else n.carry for n in neurons]}
    if weak:
        tables[f"A{k}"] = [p.ancilla for p in placements]
        tables[f"RA{k}"] = [p.reset_ancilla for p in placements]
    if all(isinstance(r, (FixedAngle, InputAngle)) for r in rules):
        angle_lines, extra = _host_angles(k, layer, rules)
    elif all(isinstance(r, LinearAngle) for r in rules):
        angle_lines, extra = _computed_angles(k, layer, rules, act, n_aux)
    else:
        kinds = sorted({type(r).__name__ for r in rules})
        raise TargetError(f"layer {layer.name!r} mixes angle rules {kinds}; target 'helios' lowers "
                          "host angles or linear forms of measured bits")
    tables.update(extra)
    lines = [f"    # layer {layer.name!r}: m[{layer.start}:{layer.stop}]"]
    lines += [f"    {name.lower()} = comptime({name})" for name in tables]
    lines += [f"    for j in range({len(neurons)}):", *angle_lines,
              f"        if cr{k}[j] >= 0:",
              f"            if m[cr{k}[j]]:",
              "                theta -= PI",
              f"        n = q{k}[j]",
              f"        if rq{k}[j]:",
              "            reset(qs[n])"]
    if weak:
        lines += [f"        if ra{k}[j]:", f"            reset(qs[a{k}[j]])"]
    lines += ["        ry(qs[n], angle(theta / PI))",
              f"        bit = weak_read(qs, n, a{k}[j])" if weak else "        bit = project_z(qs[n]).read()",
              f"        m[{layer.start} + j] = bit",
              '        output("m", bit)']
    return [f"{name} = {_literal(v)}" for name, v in tables.items()], lines


def _host_angles(k: int, layer, rules) -> tuple[list[str], dict]:
    """Angles computed on the host: baked in (FixedAngle) or bound per sample (THETA_IN)."""
    if all(isinstance(r, FixedAngle) for r in rules):
        return [f"        theta = th{k}[j]"], {f"TH{k}": [float(r.theta) for r in rules]}
    if all(isinstance(r, InputAngle) for r in rules):
        return [f"        theta = theta_in[{layer.start} + j]"], {}
    raise TargetError(f"layer {layer.name!r} mixes baked-in and bound input angles")


def _computed_angles(k: int, layer, rules, act, n_aux: int = 0) -> tuple[list[str], dict]:
    """u from the layer's linear forms over the bits (and auxiliary values) it reads, then
    θ = activation.angle(u) — of fn(u) where a function comes before the sign."""
    bits = sorted({b for r in rules for b, _ in r.terms}) or [0]
    lo, span = bits[0], bits[-1] - bits[0] + 1
    dense = np.zeros((len(rules), span))
    for j, r in enumerate(rules):
        for b, w in r.terms:
            dense[j, b - lo] = w
    offsets = [float(r.offset) for r in rules]
    strict = {bool(r.strict) for r in rules}
    if len(strict) > 1:
        raise TargetError(f"layer {layer.name!r} mixes strict and non-strict neurons")
    theta = act.angle(Expr("u"), xp=GUPPY, strict=strict.pop())
    general = any(r.aux or r.fn is not None for r in rules)
    integer = [] if general else [integer_weights(row, INT_BITS) for row in dense]
    if not general and all(rounding == 0.0 for _, _, rounding in integer):
        # z = Σ k_i y_i exactly, u = unit · z + offset: the simulator's own arithmetic.
        extra = {f"K{k}": [[int(v) for v in ki] for ki, _, _ in integer],
                 f"U{k}": [float(unit) for _, unit, _ in integer], f"C{k}": offsets}
        body = ["        z = 0",
                f"        for i in range({span}):",
                f"            if m[{lo} + i]:",
                f"                z += k{k}[j][i]",
                "            else:",
                f"                z -= k{k}[j][i]",
                f"        u = u{k}[j] * float(z) + c{k}[j]"]
    else:
        extra = {f"W{k}": [[float(v) for v in row] for row in dense], f"C{k}": offsets}
        body = [f"        u = c{k}[j]",
                f"        for i in range({span}):",
                f"            if m[{lo} + i]:",
                f"                u += w{k}[j][i]",
                "            else:",
                f"                u -= w{k}[j][i]"]
    if general:  # auxiliary values read, and the function before the sign
        wa = np.zeros((len(rules), max(n_aux, 1)))
        for j, r in enumerate(rules):
            for t, w in r.aux:
                wa[j, t] = w
        fns = [guppy_aux.fn_row(r.fn) for r in rules]
        extra.update({f"WA{k}": wa.tolist(), f"FK{k}": [f[0] for f in fns], f"FP{k}": [f[1] for f in fns],
                      f"FQ{k}": [f[2] for f in fns]})
        if n_aux:
            body += [f"        for s in range({n_aux}):", f"            u += wa{k}[j][s] * aux[s]"]
        body += [f"        u = unit_fn(u, fk{k}[j], fp{k}[j], fq{k}[j])"]
    return body + [f"        theta = {theta}"], extra


def _literal(value) -> str:
    """A Python literal Guppy reads as a compile-time array (floats written exactly)."""
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(float(value))
