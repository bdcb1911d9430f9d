"""PruneLevels: fewer conditional rotations per neuron, within a stated angle tolerance."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..errors import InputError
from ..plan import LevelChain, QuantumNetwork
from .base import Pass


@dataclass(frozen=True)
class PruneLevels(Pass):
    """Replace each LevelChain by the piecewise-constant θ' with the fewest steps such that
    |θ'(L) − θ(L)| ≤ ε at every level L (greedy: grow a run of levels while its angles span at
    most 2ε, realise the run's midpoint).

    For the outcome probability P(θ) = (1 − f)/2 + f sin²(θ/2) (f = 1 for rotation, sin g for
    ancilla), |P(θ') − P(θ)| = f |cos θ − cos θ'| / 2 ≤ f ε / 2. Each chain records the exact maximum of
    that difference over its levels in ``error``. ε = 0 keeps the chain exact (it only merges
    levels whose angles are equal)."""

    tolerance: float = 0.0
    name = "prune-levels"
    accepts = (QuantumNetwork,)

    def __post_init__(self):
        if not (math.isfinite(self.tolerance) and self.tolerance >= 0):
            raise InputError(f"tolerance must be a finite angle >= 0 in radians, got {self.tolerance!r}")

    def run(self, qnet: QuantumNetwork) -> QuantumNetwork:
        fidelity = getattr(qnet.activation, "fidelity", 1.0)
        layers = []
        for layer in qnet.layers:
            neurons = tuple(
                replace(n, angle=prune(n.angle, self.tolerance, fidelity))
                if isinstance(n.angle, LevelChain) else n
                for n in layer.neurons
            )
            layers.append(replace(layer, neurons=neurons))
        return QuantumNetwork(tuple(layers), qnet.activation, qnet.source)


def prune(chain: LevelChain, tolerance: float, fidelity: float = 1.0) -> LevelChain:
    """The pruned chain (see ``PruneLevels``) with its probability error bound."""
    values: list[float] = []
    run_lo = run_hi = chain.exact[0]
    run_start = 0
    for i, theta in enumerate(chain.exact[1:], start=1):
        lo, hi = min(run_lo, theta), max(run_hi, theta)
        if hi - lo > 2 * tolerance:
            values += [(run_lo + run_hi) / 2] * (i - run_start)
            run_lo = run_hi = theta
            run_start = i
        else:
            run_lo, run_hi = lo, hi
    values += [(run_lo + run_hi) / 2] * (len(chain.exact) - run_start)
    steps = tuple(
        (chain.levels[i], values[i] - values[i - 1])
        for i in range(1, len(values)) if values[i] != values[i - 1]
    )
    error = max(fidelity * abs(math.cos(t) - math.cos(v)) / 2 for t, v in zip(chain.exact, values))
    return replace(chain, base=values[0], steps=steps, error=error)
