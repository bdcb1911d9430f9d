"""BuildIntegerAux: the auxiliary values a dynamic program's angles read (``ir.controller``) as
program integers — AuxValue → IntegerAux in a QuantumNetwork, before ``BuildLevelChains``.

Each value's arguments are affine in spins and earlier values; their weights, constants and the
clamp's bounds become integers of one unit together (``fixed_point``), so that

    ReLU, clip:  A = min(max(S, low), high)          max, min:  A = max/min_j S_j

are comparisons and assignments on exact integer sums S (exact when the reals are dyadic within
the integer's width, else with their rounding reported). Real functions (tanh, sigmoid, a leaky
slope) and products have no integer form: the pass refuses them, naming the op."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import TargetError
from ..ir.controller import AuxValue, IntegerAux, Terms
from ..ir.plan import QuantumNetwork
from .base import Pass
from .fixed_point import MAX_LEVELS, integer_weights, levels

#: Name of auxiliary value t's program integer.
AUX_VAR = "a{}"


@dataclass(frozen=True)
class BuildIntegerAux(Pass):
    """AuxValue → IntegerAux. ``target``: how messages name the target."""

    int_bits: int = 32
    target: str = "this target"
    name = "build-integer-aux"
    accepts = (QuantumNetwork,)

    def run(self, qnet: QuantumNetwork) -> QuantumNetwork:
        if not qnet.aux or not isinstance(qnet.aux[0], AuxValue):
            return qnet
        done: list[IntegerAux] = []
        for t, value in enumerate(qnet.aux):
            done.append(integer_aux(t, value, done, self.int_bits, self.target))
        return replace(qnet, aux=tuple(done))


def integer_aux(t: int, value: AuxValue, done: list, int_bits: int, target: str = "this target") -> IntegerAux:
    bounds = value.fn.bounds if value.kind == "fn" else None
    if value.kind not in ("max", "min") and bounds is None:
        raise TargetError(
            f"{value.source!r} computes {value.describe()} of values fed by measured bits, which {target}'s "
            "integer feed-forward cannot compute exactly; use strategy='layerwise', or target 'helios', "
            "which computes it at run time"
        )
    reals, mags = [], []  # every weight, constant and bound, made integers of one unit together
    for arg in value.args:
        reals += [w for _, w in arg.bits] + [v * done[s].unit for s, v in arg.aux] + [arg.constant]
        mags += [1] * len(arg.bits) + [done[s].bound for s, _ in arg.aux] + [1]
    finite = [b for b in (bounds or ()) if np.isfinite(b)]
    reals += finite
    mags += [1] * len(finite)
    reals, mags = np.array(reals, dtype=np.float64), np.array(mags, dtype=np.float64)
    nonzero = reals != 0
    k = np.zeros(len(reals), dtype=np.int64)
    k[nonzero], unit, rounding = integer_weights(reals[nonzero], int_bits, mags[nonzero])
    if not np.any(nonzero):
        unit = 1.0
    args, at = [], 0
    inherited = 0.0
    for arg in value.args:
        nb, na = len(arg.bits), len(arg.aux)
        kb, ka, kc = k[at: at + nb], k[at + nb: at + nb + na], int(k[at + nb + na])
        at += nb + na + 1
        args.append(Terms(tuple((b, int(v)) for (b, _), v in zip(arg.bits, kb) if v),
                          tuple((s, int(v)) for (s, _), v in zip(arg.aux, ka) if v), kc))
        inherited = max(inherited, sum(abs(v) * done[s].rounding for s, v in arg.aux))
    low = high = None
    if bounds is not None:
        fixed = iter(k[at:])
        low = int(next(fixed)) if np.isfinite(bounds[0]) else None
        high = int(next(fixed)) if np.isfinite(bounds[1]) else None
    kind = "clamp" if value.kind == "fn" else value.kind
    bound, lv = _range(args, low, high, kind, done)
    return IntegerAux(AUX_VAR.format(t), kind, tuple(args), low, high, unit, bound, lv, rounding + inherited,
                      value.source)


def _range(args, low, high, kind: str, done: list) -> tuple[int, tuple]:
    """(max |A|, the values A takes when few enough to list, else ())."""
    spans = [sum(abs(v) for _, v in a.bits) + sum(abs(v) * done[s].bound for s, v in a.aux) for a in args]
    lo = min(a.constant - s for a, s in zip(args, spans))
    hi = max(a.constant + s for a, s in zip(args, spans))
    if kind == "clamp":
        lo, hi = (lo if low is None else max(lo, low)), (hi if high is None else min(hi, high))
        lo, hi = min(lo, hi), max(lo, hi)
    values = set()
    for a in args:
        arg_levels = _arg_levels(a, done)
        if arg_levels is None:
            return max(abs(lo), abs(hi)), ()
        values.update(int(v) for v in arg_levels)
    listed = np.array(sorted(values), dtype=np.int64)
    if kind == "clamp":
        listed = np.unique(np.clip(listed, -np.inf if low is None else low, np.inf if high is None else high)
                           ).astype(np.int64)
    # (max/min of the arguments lies in the union of their values: a superset is safe to list)
    if len(listed) > MAX_LEVELS:
        return max(abs(lo), abs(hi)), ()
    return max(abs(lo), abs(hi)), tuple(int(v) for v in listed)


def _arg_levels(arg: Terms, done: list):
    """The values of one integer argument: its spins' sum, or one earlier value's, plus K."""
    if not arg.aux:
        found = levels(np.array([v for _, v in arg.bits], dtype=np.int64))
        return None if found is None else found + arg.constant
    if arg.bits or len(arg.aux) != 1 or not done[arg.aux[0][0]].levels:
        return None
    s, c = arg.aux[0]
    return c * np.asarray(done[s].levels, dtype=np.int64) + arg.constant
