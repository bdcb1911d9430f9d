"""What a dynamic program's classical controller computes between measurements, beyond a
neuron's own affine sum: auxiliary values and the real function before a neuron's sign.

A network's core may hold real nonlinear steps between signs (ReLU, clips, max of reals or
max-pools of sums, products with a computed gate). In a dynamic program each unit of such a step
is an auxiliary value a_t, computed once from earlier measured bits and earlier auxiliary
values; every later unit is then affine in the spins y = 2m − 1 and the a_t:

    a_t = fn(Σ_i w_i y_i + Σ_s v_s a_s + c)        kind "fn" (fn a ``UnitFn``)
    a_t = max / min / product over its arguments    kinds "max", "min", "mul"

A monotone ``UnitFn`` right before a sign needs no auxiliary value: the neuron's angle is
θ = angle(fn(u)), which a level chain tabulates like any function of its integer sum.

Targets with integer feed-forward hold a_t as a program integer A_t with a_t ≈ unit · A_t
(``IntegerAux``): clamps and max/min of integer sums are comparisons and assignments, exact;
real functions (tanh, sigmoid, a leaky slope) and products are not, and need a target that
computes at run time (Helios) or the layerwise strategy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: UnitFn kinds; ``prelu`` has one parameter (the slope below 0), ``clip`` two (low, high).
UNIT_FNS = ("relu", "prelu", "clip", "tanh", "sigmoid")


@dataclass(frozen=True)
class UnitFn:
    """A real function of one unit's value: relu, prelu(α), clip(low, high), tanh, sigmoid."""

    kind: str
    params: tuple[float, ...] = ()

    def __call__(self, u):
        u = np.asarray(u, dtype=np.float64)
        if self.kind == "relu":
            return np.maximum(u, 0.0)
        if self.kind == "prelu":
            return np.where(u >= 0, u, self.params[0] * u)
        if self.kind == "clip":
            return np.minimum(np.maximum(u, self.params[0]), self.params[1])
        if self.kind == "tanh":
            return np.tanh(u)
        return 1.0 / (1.0 + np.exp(-u))

    @property
    def monotone(self) -> bool:
        """Non-decreasing (a chain over its input then stays monotone)."""
        return self.kind != "prelu" or self.params[0] >= 0

    @property
    def bounds(self) -> tuple[float, float] | None:
        """(low, high) when it is a clamp — exact in integer arithmetic — else None."""
        if self.kind == "relu" or (self.kind == "prelu" and self.params[0] == 0):
            return (0.0, np.inf)
        if self.kind == "clip":
            return (float(self.params[0]), float(self.params[1]))
        return None

    def describe(self) -> str:
        if self.kind == "prelu":
            return f"a leaky ReLU (slope {self.params[0]:g})"
        if self.kind == "clip":
            return f"a clip to [{self.params[0]:g}, {self.params[1]:g}]"
        return {"relu": "a ReLU", "tanh": "a tanh", "sigmoid": "a sigmoid"}[self.kind]


@dataclass(frozen=True)
class Terms:
    """Σ_i w_i (2 m[b_i] − 1) + Σ_t v_t a_t + constant over ``bits`` ((bit, w)) and ``aux``
    ((auxiliary index t, v)); integers in an ``IntegerAux``, reals otherwise."""

    bits: tuple[tuple[int, float], ...] = ()
    aux: tuple[tuple[int, float], ...] = ()
    constant: float = 0.0


@dataclass(frozen=True)
class AuxValue:
    """Auxiliary value: ``fn`` of its one argument (kind "fn"), or the max, min or product of its
    arguments. ``source`` names the op that computes it."""

    kind: str
    args: tuple[Terms, ...]
    fn: UnitFn | None = None
    source: str = ""

    def describe(self) -> str:
        if self.kind == "fn":
            return self.fn.describe()
        return {"max": "a max", "min": "a min", "mul": "a product of computed values"}[self.kind]


def reachable(read: set[int], aux: tuple[AuxValue, ...]) -> list[int]:
    """The auxiliary values ``read`` names and every one they are computed from, in index order."""
    out = set(read)
    stack = list(out)
    while stack:
        for arg in aux[stack.pop()].args:
            for s, _ in arg.aux:
                if s not in out:
                    out.add(s)
                    stack.append(s)
    return sorted(out)


@dataclass(frozen=True)
class IntegerAux:
    """Auxiliary value t as the program integer ``var``, a_t ≈ unit · A_t:

        kind "clamp":   A = min(max(S_0, low), high)        (low/high None: no bound)
        kind "max"/"min": A = max/min over j of S_j

    with S_j = Σ k (2 m[b] − 1) + Σ k_s A_s + K over ``args`` (integer ``Terms``). ``bound``: the
    largest |A|; ``levels``: the values A can take when few enough to list (else empty);
    ``rounding``: bound on |a_t − unit · A_t| from fixed-point weights (0 when exact)."""

    var: str
    kind: str
    args: tuple[Terms, ...]
    low: int | None
    high: int | None
    unit: float
    bound: int
    levels: tuple[int, ...] = ()
    rounding: float = 0.0
    source: str = ""
