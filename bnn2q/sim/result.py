"""What a simulation returns: per-layer bits and per-shot logits (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SimResult:
    """Outcomes of ``simulate``.

    bits: per hidden layer, uint8 [n_samples, shots, width] (the layer's output bits; with the
          ancilla activation the ancilla outcomes r_j); None when ``simulate(keep_bits=False)``.
    logits: float64 [n_samples, shots, n_classes], computed on the host from the last bits.

    At the classical values every shot is the same, and both may be read-only broadcast views
    of one shot (copy them before writing into them).
    """

    bits: list | None
    logits: np.ndarray

    @property
    def predictions(self) -> np.ndarray:
        """argmax over classes of the logits averaged over shots (SPEC §3)."""
        return np.argmax(self.logits.mean(axis=1), axis=-1)

    def accuracy(self, labels) -> float:
        """Fraction of samples whose prediction equals ``labels``."""
        return float(np.mean(self.predictions == np.asarray(labels)))

    def shot_accuracy(self, labels) -> float:
        """Mean over shots of single-shot accuracy (each shot's own argmax)."""
        per_shot = np.argmax(self.logits, axis=-1)
        return float(np.mean(per_shot == np.asarray(labels)[:, None]))

    def votes(self, k: int) -> np.ndarray:
        """Majority vote of the argmax of k consecutive shots, int [n_samples, shots // k]
        (ties go to the smallest class)."""
        n, shots, classes = self.logits.shape
        if not 1 <= k <= shots:
            raise ValueError(f"a {k}-shot vote needs 1 <= k <= shots ({shots})")
        groups = shots // k
        per_shot = np.argmax(self.logits[:, : groups * k], axis=-1).reshape(n, groups, k)
        counts = (per_shot[..., None] == np.arange(classes)).sum(axis=2)
        return np.argmax(counts, axis=-1)

    def vote_accuracy(self, labels, k: int = 15) -> float:
        """Accuracy of k-shot majority votes, averaged over the shots // k votes per sample."""
        return float(np.mean(self.votes(k) == np.asarray(labels)[:, None]))
