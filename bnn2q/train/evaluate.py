"""Accuracy of a model run as a quantum network, averaged over simulator seeds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class QuantumAccuracy:
    """Test accuracy at one quantumness: per seed, and its mean.

    accuracy: argmax of the shot-averaged logits (SPEC §3), one value per seed.
    shot_accuracy: mean over single shots, one value per seed.
    """

    accuracy: tuple
    shot_accuracy: tuple

    @property
    def mean(self) -> float:
        return float(np.mean(self.accuracy))

    @property
    def shot_mean(self) -> float:
        return float(np.mean(self.shot_accuracy))

    @property
    def stderr(self) -> float:
        """Standard error of the mean over seeds (0 for a single seed)."""
        n = len(self.accuracy)
        return float(np.std(self.accuracy, ddof=1) / math.sqrt(n)) if n > 1 else 0.0


def quantum_accuracy(model, x, y, activation="rotation", quantumness=0.0, g=math.pi / 2,
                     shots: int = 100, seeds=(0, 1, 2)) -> QuantumAccuracy:
    """Simulate ``model`` (anything ``bnn2q.load`` reads) on (x, y) once per seed."""
    from ..api import load, simulate

    net = load(model)
    acc, shot_acc = [], []
    for seed in seeds:
        sim = simulate(net, x, activation=activation, quantumness=quantumness, g=g,
                       shots=shots, seed=seed)
        acc.append(sim.accuracy(y))
        shot_acc.append(sim.shot_accuracy(y))
    return QuantumAccuracy(tuple(acc), tuple(shot_acc))
