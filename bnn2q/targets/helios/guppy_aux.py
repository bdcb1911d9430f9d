"""Guppy source for what a Helios program computes between measurements besides a neuron's own
sum: the auxiliary values (``ir.controller``: ReLU, clips, tanh, sigmoid, leaky slopes, max,
min and products of affine forms of earlier bits and values) and a function right before a
sign. Everything is real arithmetic at run time, in float64.

Values are computed in index order into ``aux`` (each reads only earlier ones), each group just
before the first layer that reads it, from compile-time tables and one loop per group — the
same shape as the angles' code, so Guppy and Selene compile it quickly."""

from __future__ import annotations

import numpy as np

from ...ir.controller import reachable

#: ``unit_fn`` codes (a neuron without a function before its sign takes ``NONE``).
FN_CODES = {"relu": 0, "prelu": 1, "clip": 2, "tanh": 3, "sigmoid": 4}
NONE = 5
#: How a value combines its arguments.
COMBINE_CODES = {"fn": 0, "max": 1, "min": 2, "mul": 3}
#: Guppy has no literal for infinity: an unbounded clip side becomes this.
HUGE = 1e300

HELPER = '''

@guppy
def unit_fn(x: float, kind: int, p: float, q: float) -> float:
    """relu (0), leaky/parametric relu with slope p (1), clip to [p, q] (2), tanh (3), sigmoid (4),
    identity (5)."""
    if kind == 0:
        if x < 0.0:
            return 0.0
        return x
    if kind == 1:
        if x < 0.0:
            return p * x
        return x
    if kind == 2:
        if x < p:
            return p
        if x > q:
            return q
        return x
    if kind == 3:
        return 1.0 - 2.0 / (exp(2.0 * x) + 1.0)
    if kind == 4:
        return sigmoid(x)
    return x
'''


def fn_row(fn) -> tuple[int, float, float]:
    """(code, p, q) of a UnitFn, or the identity for None."""
    if fn is None:
        return NONE, 0.0, 0.0
    params = [float(np.clip(v, -HUGE, HUGE)) for v in fn.params] + [0.0, 0.0]
    return FN_CODES[fn.kind], params[0], params[1]


def needed(rules, aux: tuple) -> list[int]:
    """The auxiliary values ``rules`` read, directly or through others, in index order."""
    return reachable({t for r in rules for t, _ in getattr(r, "aux", ())}, aux)


def group(g: int, indices: list[int], aux: tuple, n_aux: int) -> tuple[dict, list[str]]:
    """(module-level tables, lines of main) computing auxiliary values ``indices`` as group g."""
    values = [aux[t] for t in indices]
    n_args = max(len(v.args) for v in values)
    bits = sorted({b for v in values for a in v.args for b, _ in a.bits}) or [0]
    lo, span = bits[0], bits[-1] - bits[0] + 1
    xb = np.zeros((len(values), n_args, span))
    xa = np.zeros((len(values), n_args, n_aux))
    xc = np.zeros((len(values), n_args))
    for t, v in enumerate(values):
        for r, arg in enumerate(v.args):
            for b, w in arg.bits:
                xb[t, r, b - lo] = w
            for s, w in arg.aux:
                xa[t, r, s] = w
            xc[t, r] = arg.constant
    fns = [fn_row(v.fn) for v in values]
    tables = {f"XB{g}": xb.tolist(), f"XA{g}": xa.tolist(), f"XC{g}": xc.tolist(),
              f"XN{g}": [len(v.args) for v in values], f"XK{g}": [COMBINE_CODES[v.kind] for v in values],
              f"XF{g}": [f[0] for f in fns], f"XP{g}": [f[1] for f in fns], f"XQ{g}": [f[2] for f in fns],
              f"XI{g}": list(indices)}
    lines = [f"    # auxiliary values {indices[0]}..{indices[-1]} ({', '.join(sorted({v.source for v in values}))})"]
    lines += [f"    {name.lower()} = comptime({name})" for name in tables]
    lines += [f"    for t in range({len(values)}):",
              "        acc = 0.0",
              f"        for r in range(xn{g}[t]):",
              f"            v = xc{g}[t][r]",
              f"            for i in range({span}):",
              f"                if m[{lo} + i]:",
              f"                    v += xb{g}[t][r][i]",
              "                else:",
              f"                    v -= xb{g}[t][r][i]",
              f"            for s in range({n_aux}):",
              f"                v += xa{g}[t][r][s] * aux[s]",
              "            if r == 0:",
              "                acc = v",
              f"            elif xk{g}[t] == 1:",
              "                if v > acc:",
              "                    acc = v",
              f"            elif xk{g}[t] == 2:",
              "                if v < acc:",
              "                    acc = v",
              "            else:",
              "                acc = acc * v",
              f"        aux[xi{g}[t]] = unit_fn(acc, xf{g}[t], xp{g}[t], xq{g}[t])"]
    return tables, lines
