"""BuildLevelChains: a fed-forward neuron's angle as integer arithmetic on measured bits and a
few conditional rotations — LinearAngle → LevelChain in a QuantumNetwork.

Integer sums. u = Σ_i w_i y_i + c becomes u = unit · z + c with z = Σ_i k_i y_i, k_i integers:

- exactly, when the weights are integer multiples of one unit (±1 kernels times a batch-norm
  scale, residual sums of them): unit = min |w_i|;
- otherwise in fixed point: unit = 2^−e with e the largest such that Σ|k_i| < 2^(bits − 2) (the
  program's integer stays in range), k_i = round(w_i 2^e). Float32 weights are dyadic, so this
  is exact when their exponents span few enough bits; otherwise |u − unit z − c| ≤ δ =
  Σ|w_i − k_i unit| (``rounding``).

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

#: Most levels a chain lists (and tabulates exactly).
MAX_LEVELS = 4096
#: Work bound of the subset-sum enumeration of reachable levels (terms × range).
MAX_SUBSET_WORK = 1 << 25
#: Up to this many terms every sign pattern is enumerated (2ⁿ sums), whatever the integers.
MAX_ENUMERATED_TERMS = 12
#: Relative slack when testing that weights are integer multiples of one unit.
INTEGER_RTOL = 1e-9


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
                replace(n, angle=level_chain(n.angle, act, self.tolerance, self.int_bits, f, (layer.name, n.index)))
                if isinstance(n.angle, LinearAngle) else n
                for n in layer.neurons
            )
            layers.append(replace(layer, neurons=neurons))
        return replace(qnet, layers=tuple(layers))


def level_chain(rule: LinearAngle, act, tolerance: float, int_bits: int, fidelity: float = 1.0,
                where=("?", 0)) -> LevelChain:
    """The chain of one neuron (see the module docstring)."""
    bits = [b for b, _ in rule.terms]
    w = np.array([v for _, v in rule.terms], dtype=np.float64)
    k, unit, rounding = integer_weights(w, int_bits)
    keep = k != 0  # weights that round to nothing read no bit
    bits, k = [b for b, kept in zip(bits, keep) if kept], k[keep]
    terms = tuple(zip(bits, (int(v) for v in k)))
    angle = lambda z: np.asarray(act.angle(unit * np.asarray(z, dtype=np.float64) + rule.offset,  # noqa: E731
                                           strict=rule.strict), dtype=np.float64)
    tau = act.quantumness
    rounding_error = 0.0 if rounding == 0 else (fidelity if tau == 0 else fidelity * math.pi / (4 * tau) * rounding / 2)
    levels = _levels(k)
    if levels is not None:
        exact = angle(levels)
        values = merge_runs(exact, tolerance)
        steps = tuple((int(levels[i]), float(values[i] - values[i - 1]))
                      for i in range(1, len(values)) if values[i] != values[i - 1])
        error = fidelity * float(np.max(np.abs(np.cos(exact) - np.cos(values)))) / 2 if len(levels) else 0.0
        return LevelChain(terms, float(values[0]) if len(values) else 0.0, steps, unit, rule.offset,
                          tuple(int(v) for v in levels), tuple(float(t) for t in exact), rounding,
                          min(fidelity, error + rounding_error))
    reach = int(np.abs(k).sum())
    if tau == 0:
        base, steps = _threshold(angle, reach, unit, rule)
        return LevelChain(terms, base, steps, unit, rule.offset, rounding=rounding, error=rounding_error)
    if tolerance <= 0:
        layer, j = where
        raise TargetError(
            f"neuron {j} of layer {layer!r} has real weights over {len(terms)} bits: at τ > 0 its "
            f"angle takes up to 2^{len(terms)} values, too many for exact conditionals; give an angle "
            "tolerance (--tolerance, e.g. 0.01) or use strategy='layerwise' (exact)"
        )
    base, steps = _grid(angle, reach, tolerance, act, unit, rule)
    return LevelChain(terms, base, steps, unit, rule.offset, rounding=rounding,
                      error=min(fidelity, fidelity * tolerance / 2 + rounding_error))


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


def integer_weights(w: np.ndarray, int_bits: int) -> tuple[np.ndarray, float, float]:
    """(k, unit, rounding δ) with w ≈ k · unit (see the module docstring)."""
    if not len(w):
        return np.zeros(0, dtype=np.int64), 1.0, 0.0
    limit = 2.0 ** (int_bits - 2)
    unit = float(np.abs(w).min())
    q = w / unit
    k = np.round(q)
    if np.all(np.abs(q - k) <= INTEGER_RTOL * np.abs(q)) and np.abs(k).sum() < limit:
        return k.astype(np.int64), unit, 0.0
    # The largest power-of-two scale the integer holds; exact from the first one at which
    # every weight (a dyadic rational, from float32 or float64) is an integer.
    top = math.floor(math.log2(limit / np.abs(w).sum()))
    for e in range(min(top, -math.frexp(float(np.abs(w).max()))[1] + 1), top + 1):
        scaled = w * 2.0 ** e
        if np.all(scaled == np.round(scaled)):
            return np.round(scaled).astype(np.int64), 2.0 ** -e, 0.0
    k = np.round(w * 2.0 ** top)
    unit = 2.0 ** -top
    return k.astype(np.int64), unit, float(np.abs(w - k * unit).sum())


def _levels(k: np.ndarray) -> np.ndarray | None:
    """The sorted reachable values of z = Σ k_i y_i, or None when there are too many to list.

    z is smallest, −Σ|k_i|, with every y_i = −sign(k_i); flipping y_i adds 2|k_i|, so the
    reachable set is −Σ|k_i| plus the subset sums of the 2|k_i|."""
    a = np.abs(k)
    n, reach = len(k), int(a.sum())
    if n == 0:
        return np.zeros(1, dtype=np.int64)
    if np.all(a == a[0]):  # ±c kernels: −n c, (−n + 2) c, …, n c
        return np.arange(-n, n + 1, 2, dtype=np.int64) * int(a[0]) if n + 1 <= MAX_LEVELS else None
    if n <= MAX_ENUMERATED_TERMS:
        signs = 1 - 2 * ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1)
        return np.unique(signs @ a)
    if n * reach > MAX_SUBSET_WORK:
        return None
    reachable = np.zeros(2 * reach + 1, dtype=bool)  # index z + reach
    reachable[0] = True
    for step in 2 * a[a > 0]:
        reachable[step:] |= reachable[:-step].copy()
    levels = np.flatnonzero(reachable) - reach
    return levels if len(levels) <= MAX_LEVELS else None


def _threshold(angle, reach: int, unit: float, rule: LinearAngle) -> tuple[float, tuple]:
    """τ = 0: θ' = 0 below the first firing z, π from it (the activation's own step decides,
    so u = unit z + c ≥ 0 — or > 0 for a strict neuron — holds exactly where it fires)."""
    first = math.ceil(-rule.offset / unit)
    while first - 1 >= -reach and angle(first - 1) > 0:
        first -= 1
    while first <= reach and angle(first) == 0:
        first += 1
    base = float(angle(-reach))
    if first <= -reach or first > reach:
        return base, ()
    return base, ((int(first), float(angle(first)) - base),)


def _grid(angle, reach: int, tolerance: float, act, unit: float, rule: LinearAngle) -> tuple[float, tuple]:
    """τ > 0, too many levels: runs of z where θ spans less than 2ε, cut where θ reaches 2ε
    above the run's first angle; each run realises its midpoint."""
    tau = act.quantumness
    hi = float(angle(reach))
    cuts = [-reach]
    while True:
        boundary = float(angle(cuts[-1])) + 2 * tolerance
        if boundary >= hi:
            break
        u = tau * math.log(boundary / (math.pi - boundary))  # θ = π σ(u/τ) inverted
        z = max(math.ceil((u - rule.offset) / unit), cuts[-1] + 1)
        while z - 1 > cuts[-1] and angle(z - 1) >= boundary:  # float slack of the inversion
            z -= 1
        while z <= reach and angle(z) < boundary:
            z += 1
        if z > reach:
            break
        cuts.append(z)
    edges = cuts + [reach + 1]
    values = [(float(angle(a)) + float(angle(b - 1))) / 2 for a, b in zip(edges, edges[1:])]
    steps = tuple((int(cuts[i]), values[i] - values[i - 1]) for i in range(1, len(values)))
    return values[0], steps
