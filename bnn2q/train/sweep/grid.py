"""The sweep's grid: a configuration and the cells it expands to."""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass

from ... import activations
from ...errors import InputError


@dataclass(frozen=True)
class SweepConfig:
    """What every cell of one sweep shares, and the axes it varies.

    architecture: a spec such as ``64-32-10`` (input size, hidden widths, classes) or the path
        of a Larq model file whose architecture is retrained from a fresh initialization.
    taus: quantumness values τ; for ancilla the neuron's own τ (usually just 0).
    gs: ancilla coupling angles (rotation ignores g and uses π/2).
    val_size: number of test-split images the simulator evaluates (None: all).
    """

    dataset: str
    architecture: str
    activation: str = "rotation"
    train_sizes: tuple = (500,)
    taus: tuple = (0.0,)
    gs: tuple = (math.pi / 2,)
    seeds: tuple = (0, 1, 2)
    epochs: int = 30
    shots: int = 100
    val_size: int | None = None
    lr: float = 3e-3
    batch_size: int = 64

    def __post_init__(self):
        if self.activation not in activations.ACTIVATIONS:
            raise InputError(f"unknown activation {self.activation!r}: use rotation or ancilla")
        for name in ("train_sizes", "taus", "gs", "seeds"):
            if not getattr(self, name):
                raise InputError(f"the sweep needs at least one value in {name.replace('_', '-')}")
        for tau in self.taus:
            for g in self.knob_gs:
                activations.get(self.activation, tau, g)  # one clear line for a bad knob
        for name in ("epochs", "shots", "batch_size"):
            if getattr(self, name) < 1:
                raise InputError(f"{name.replace('_', '-')} must be >= 1, got {getattr(self, name)}")
        if min(self.train_sizes) < 1 or (self.val_size is not None and self.val_size < 1):
            raise InputError("training and validation sizes must be >= 1")

    @property
    def knob_gs(self) -> tuple:
        """The g axis actually swept: rotation has none (g = π/2)."""
        return tuple(self.gs) if self.activation != "rotation" else (math.pi / 2,)

    def cells(self) -> list["Cell"]:
        shared = {k: v for k, v in asdict(self).items()
                  if k not in ("train_sizes", "taus", "gs", "seeds")}
        return [
            Cell(**shared, train_size=int(n), quantumness=float(t), g=float(g), seed=int(s))
            for n, t, g, s in itertools.product(self.train_sizes, self.taus, self.knob_gs, self.seeds)
        ]


@dataclass(frozen=True)
class Cell:
    """One training run + its evaluation: everything a worker process needs (picklable)."""

    dataset: str
    architecture: str
    activation: str
    epochs: int
    shots: int
    val_size: int | None
    lr: float
    batch_size: int
    train_size: int
    quantumness: float
    g: float
    seed: int

    def key(self) -> tuple:
        """Identity of the cell as the CSV spells it (resume matches on this)."""
        return tuple(format_value(v) for v in asdict(self).values())


def format_value(value) -> str:
    """How a value is written to (and compared in) the CSV: floats to 10 significant digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)
