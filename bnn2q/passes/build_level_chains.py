"""BuildLevelChains: a fed-forward neuron's angle as integer arithmetic on measured bits and a
few conditional rotations — LinearAngle → LevelChain in a QuantumNetwork.

Integer sums: ``fixed_point`` (u = unit · z + c, exactly or in fixed point with the rounding
reported). Auxiliary values the neuron reads (``ir.controller``, made program integers by
``BuildIntegerAux``) join z as Σ_t k_t A_t, and a monotone function before the sign (a clip)
joins the angle: θ(z) = angle(fn(unit · z + c)).

Levels. When z takes few values (all of them are listed: ±1 kernels give the 2n + 1 levels
−n, −n + 2, …, n, other small integer kernels a subset-sum, a few real weights their 2ⁿ sums),
the chain is exact over them, and a
tolerance ε > 0 merges runs of levels whose angles span at most 2ε (the run's midpoint is
realised, so |θ' − θ| ≤ ε). Real weights reach up to 2ⁿ sums: the chain is then cut on a grid
of the angle instead — at τ = 0 one threshold (one conditional per neuron), at τ > 0 runs
where θ moves by at most 2ε (at most ⌈π/2ε⌉ conditionals) — and ε = 0 is refused there.

Bound. With P(θ) = (1 − f)/2 + f sin²(θ/2) (f = sin g for a weak readout, else 1),
|P(θ') − P(θ)| = f |cos θ − cos θ'| / 2 ≤ f |θ' − θ| / 2. Each chain records the exact maximum
over its listed levels (or f ε / 2 on a grid) plus the rounding's share: f (π / 4τ) δ / 2 at
τ > 0 (θ's slope is at most π / 4τ), and f at τ = 0 when δ > 0 — a decision within δ of its
threshold may flip."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import InputError, TargetError
from ..ir.plan import LevelChain, LinearAngle, QuantumNetwork
from .base import Pass
from .fixed_point import MAX_LEVELS, first_at_least, integer_weights, levels as _levels

__all__ = ["BuildLevelChains", "level_chain", "merge_runs", "integer_weights", "MAX_LEVELS"]


@dataclass(frozen=True)
class BuildLevelChains(Pass):
    """LinearAngle → LevelChain for every fed-forward neuron.

    Args:
        tolerance: angle tolerance ε (radians); 0 keeps every chain exact.
        int_bits: width of the program's integer (the feed-forward sum), at least 8.
    """

    tolerance: float = 0.0
    int_bits: int = 32
    name = "build-level-chains"
    accepts = (QuantumNetwork,)

    def __post_init__(self):
        if not (math.isfinite(self.tolerance) and self.tolerance >= 0):
            raise InputError(f"tolerance must be a finite angle >= 0 in radians, got {self.tolerance!r}")
        if int(self.int_bits) != self.int_bits or self.int_bits < 8:
            raise InputError(f"int_bits must be an integer >= 8, got {self.int_bits!r}")

    def run(self, qnet: QuantumNetwork) -> QuantumNetwork:
        act = qnet.activation
        layers = []
        for layer in qnet.layers:
            f = act.fidelity if layer.readout == "weak" else 1.0
            neurons = tuple(
                replace(n, angle=level_chain(n.angle, act, self.tolerance, self.int_bits, f, (layer.name, n.index),
                                             qnet.aux))
                if isinstance(n.angle, LinearAngle) else n
                for n in layer.neurons
            )
            layers.append(replace(layer, neurons=neurons))
        return replace(qnet, layers=tuple(layers))


def level_chain(rule: LinearAngle, act, tolerance: float, int_bits: int, fidelity: float = 1.0,
                where=("?", 0), aux: tuple = ()) -> LevelChain:
    """The chain of one neuron (see the module docstring); ``aux``: the network's IntegerAux."""
    w = np.array([v for _, v in rule.terms] + [v * aux[t].unit for t, v in rule.aux], dtype=np.float64)
    mags = [1] * len(rule.terms) + [aux[t].bound for t, _ in rule.aux]
    k, unit, rounding = integer_weights(w, int_bits, mags)
    rounding += sum(abs(v) * aux[t].rounding for t, v in rule.aux)
    n_bits = len(rule.terms)
    terms = tuple((b, int(v)) for (b, _), v in zip(rule.terms, k[:n_bits]) if v != 0)
    aux_terms = tuple((t, int(v)) for (t, _), v in zip(rule.aux, k[n_bits:]) if v != 0)
    fn = rule.fn if rule.fn is not None else (lambda u: u)

    def angle(z):
        u = fn(unit * np.asarray(z, dtype=np.float64) + rule.offset)
        return np.asarray(act.angle(u, strict=rule.strict), dtype=np.float64)

    tau = act.quantumness
    rounding_error = 0.0 if rounding == 0 else (fidelity if tau == 0 else fidelity * math.pi / (4 * tau) * rounding / 2)
    levels = _chain_levels([v for _, v in terms], aux_terms, aux)
    if levels is not None:
        exact = angle(levels)
        values = merge_runs(exact, tolerance)
        steps = tuple((int(levels[i]), float(values[i] - values[i - 1]))
                      for i in range(1, len(values)) if values[i] != values[i - 1])
        error = fidelity * float(np.max(np.abs(np.cos(exact) - np.cos(values)))) / 2 if len(levels) else 0.0
        return LevelChain(terms, float(values[0]) if len(values) else 0.0, steps, unit, rule.offset,
                          tuple(int(v) for v in levels), tuple(float(t) for t in exact), rounding,
                          min(fidelity, error + rounding_error), aux_terms)
    reach = sum(abs(v) for _, v in terms) + sum(abs(v) * aux[t].bound for t, v in aux_terms)
    if tau == 0:
        base, steps = _threshold(angle, reach)
        return LevelChain(terms, base, steps, unit, rule.offset, rounding=rounding, error=rounding_error,
                          aux=aux_terms)
    if tolerance <= 0:
        layer, j = where
        what = (f"real weights over {len(terms)} bits" if not aux_terms else
                f"{len(aux_terms)} computed values (auxiliary integers) among its inputs")
        raise TargetError(
            f"neuron {j} of layer {layer!r} has {what}: at τ > 0 its angle takes too many values for "
            "exact conditionals; give an angle tolerance (--tolerance, e.g. 0.01) or use "
            "strategy='layerwise' (exact)"
        )
    base, steps = _grid(angle, reach, tolerance)
    return LevelChain(terms, base, steps, unit, rule.offset, rounding=rounding,
                      error=min(fidelity, fidelity * tolerance / 2 + rounding_error), aux=aux_terms)


def _chain_levels(k: list, aux_terms: tuple, aux: tuple):
    """The levels of z: of the spins' sum alone, or of one auxiliary integer's listed values."""
    if not aux_terms:
        return _levels(np.array(k, dtype=np.int64))
    if k or len(aux_terms) != 1 or not aux[aux_terms[0][0]].levels:
        return None
    t, c = aux_terms[0]
    return np.unique(c * np.asarray(aux[t].levels, dtype=np.int64))


def merge_runs(exact: np.ndarray, tolerance: float) -> np.ndarray:
    """Piecewise-constant angles with the fewest runs such that each is within ``tolerance`` of
    ``exact`` (greedy: grow a run while its angles span at most 2ε, realise its midpoint).
    ε = 0 only merges equal angles."""
    values = np.empty_like(exact)
    if not len(exact):
        return values
    lo = hi = exact[0]
    start = 0
    for i in range(1, len(exact)):
        new_lo, new_hi = min(lo, exact[i]), max(hi, exact[i])
        if new_hi - new_lo > 2 * tolerance:
            values[start:i] = (lo + hi) / 2
            lo = hi = exact[i]
            start = i
        else:
            lo, hi = new_lo, new_hi
    values[start:] = (lo + hi) / 2
    return values


def _threshold(angle, reach: int) -> tuple[float, tuple]:
    """τ = 0: θ' = 0 below the first firing z, π from it. θ(z) is non-decreasing (unit > 0, a
    monotone fn), so bisection finds the first z where the activation's own step fires."""
    base = float(angle(-reach))
    first = first_at_least(angle, -reach, reach, math.pi / 2)
    if first <= -reach or first > reach:
        return base, ()
    return base, ((int(first), float(angle(first)) - base),)


def _grid(angle, reach: int, tolerance: float) -> tuple[float, tuple]:
    """τ > 0, too many levels: runs of z where θ spans less than 2ε, cut where θ reaches 2ε
    above the run's first angle (found by bisection); each run realises its midpoint."""
    hi = float(angle(reach))
    cuts = [-reach]
    while True:
        boundary = float(angle(cuts[-1])) + 2 * tolerance
        if boundary >= hi:
            break
        z = first_at_least(angle, cuts[-1] + 1, reach, boundary)
        if z > reach:
            break
        cuts.append(z)
    edges = cuts + [reach + 1]
    values = [(float(angle(a)) + float(angle(b - 1))) / 2 for a, b in zip(edges, edges[1:])]
    steps = tuple((int(cuts[i]), values[i] - values[i - 1]) for i in range(1, len(values)))
    return values[0], steps
