"""The sweep's grid: a configuration and the cells it expands to."""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass

from ... import activations
from ...errors import InputError

#: Model families: Larq's BNN recipe (±1 kernels, batch-norm) and the paper's real-weight MLP.
FAMILIES = ("larq", "paper")
#: Axes a sweep varies; every other field is shared by its cells.
AXES = ("activations", "gradients", "train_sizes", "taus", "gs", "seeds")


@dataclass(frozen=True)
class SweepConfig:
    """What every cell of one sweep shares, and the axes it varies.

    architecture: a spec such as ``64-32-10`` (input size, hidden widths, classes) or the path
        of a Larq model file whose architecture is retrained from a fresh initialization.
    family: ``larq`` (±1 kernels, batch-norm: ``models.dense_bnn``) or ``paper`` (real weights,
        no bias, no batch-norm: ``models.paper_mlp``) for spec architectures.
    activations: the activations swept (the ancilla ones also sweep ``gs``).
    taus: quantumness values τ; for the ancilla activations the neuron's own τ (usually 0).
    gradients: surrogate gradients (``expected``, ``htanh``).
    shots: simulator shots per validation image; ``vote``: shots per majority vote (≤ shots).
    val_size: number of test-split images the simulator evaluates (None: all).
    units: ``tau`` or ``a`` (the paper's a = 2τ): how reports label the quantumness axis.
    """

    dataset: str
    architecture: str
    family: str = "larq"
    activations: tuple = ("rotation",)
    gradients: tuple = ("expected",)
    train_sizes: tuple = (500,)
    taus: tuple = (0.0,)
    gs: tuple = (math.pi / 2,)
    seeds: tuple = (0, 1, 2)
    epochs: int = 30
    shots: int = 100
    vote: int = 15
    val_size: int | None = None
    lr: float = 3e-3
    batch_size: int = 64
    optimizer: str = "adam"
    momentum: float = 0.9
    units: str = "tau"

    def __post_init__(self):
        from ..finetune import OPTIMIZERS  # imports TensorFlow: not at module level, so worker
        from ..quantum_sign import GRADIENTS  # processes can start (and arm their exit) first

        for name in AXES:
            if not getattr(self, name):
                raise InputError(f"the sweep needs at least one value in {name.replace('_', '-')}")
        for activation in self.activations:
            if activation not in activations.ACTIVATIONS:
                raise InputError(f"unknown activation {activation!r}: use {', '.join(activations.ACTIVATIONS)}")
        for gradient in self.gradients:
            if gradient not in GRADIENTS:
                raise InputError(f"unknown surrogate gradient {gradient!r}: use {', '.join(GRADIENTS)}")
        for tau in self.taus:
            for g in self.gs:
                activations.get("ancilla", tau, g)  # one clear line for a bad knob
        for name in ("epochs", "shots", "batch_size", "vote"):
            if getattr(self, name) < 1:
                raise InputError(f"{name.replace('_', '-')} must be >= 1, got {getattr(self, name)}")
        if self.vote > self.shots:
            raise InputError(f"a {self.vote}-shot vote needs --shots >= {self.vote}, got {self.shots}")
        if min(self.train_sizes) < 1 or (self.val_size is not None and self.val_size < 1):
            raise InputError("training and validation sizes must be >= 1")
        if self.family not in FAMILIES:
            raise InputError(f"unknown model family {self.family!r}: use {', '.join(FAMILIES)}")
        if self.optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {self.optimizer!r}: use {', '.join(OPTIMIZERS)}")
        if self.units not in ("tau", "a"):
            raise InputError(f"units must be 'tau' or 'a', got {self.units!r}")

    def cells(self) -> list["Cell"]:
        shared = {k: v for k, v in asdict(self).items() if k not in AXES and k != "units"}
        out = []
        for activation, gradient, n, tau, g, seed in itertools.product(
                self.activations, self.gradients, self.train_sizes, self.taus, self.gs, self.seeds):
            g = math.pi / 2 if activation == "rotation" else g  # rotation has no g axis
            cell = Cell(**shared, activation=activation, gradient=gradient, train_size=int(n),
                        quantumness=float(tau), g=float(g), seed=int(seed))
            if cell not in out:
                out.append(cell)
        return out


@dataclass(frozen=True)
class Cell:
    """One training run + its evaluation: everything a worker process needs (picklable)."""

    dataset: str
    architecture: str
    family: str
    activation: str
    gradient: str
    optimizer: str
    momentum: float
    epochs: int
    shots: int
    vote: int
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
