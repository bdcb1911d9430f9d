"""What a simulation returns: per-layer bits and per-shot logits (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import budget
from ..errors import InputError

#: Samples × shots × classes reduced at once (float64: 32 MB).
BLOCK_ELEMENTS = 1 << 22


@dataclass(frozen=True)
class SimResult:
    """Outcomes of ``simulate``.

    bits: per hidden layer, uint8 [n_samples, shots, width] (the layer's output bits; with the
          ancilla activation the ancilla outcomes r_j); None when ``simulate(keep_bits=False)``.
    logits: float64 [n_samples, shots, n_classes], computed on the host from the last bits.

    At the classical values every shot is the same, and both may be read-only broadcast views
    of one shot (copy them before writing into them). The reductions below work in blocks of
    samples, so none materialises an array of samples × shots × classes.
    """

    bits: list | None
    logits: np.ndarray

    @property
    def predictions(self) -> np.ndarray:
        """argmax over classes of the logits averaged over shots (SPEC §3)."""
        if self._one_shot:
            return np.argmax(self.logits[:, 0], axis=-1)  # every shot the same: its own argmax, exactly
        return np.argmax(self.logits.mean(axis=1), axis=-1)

    def accuracy(self, labels) -> float:
        """Fraction of samples whose prediction equals ``labels``."""
        return float(np.mean(self.predictions == self._labels(labels)))

    def shot_accuracy(self, labels) -> float:
        """Mean over shots of single-shot accuracy (each shot's own argmax)."""
        labels = self._labels(labels)
        if self._one_shot:
            return float(np.mean(np.argmax(self.logits[:, 0], axis=-1) == labels))
        hits = sum(int(np.count_nonzero(per_shot == labels[lo:hi, None])) for lo, hi, per_shot in self._argmaxes())
        return hits / max(1, self.logits.shape[0] * self.logits.shape[1])

    def votes(self, k: int) -> np.ndarray:
        """Majority vote of the argmax of k consecutive shots, int [n_samples, shots // k]
        (ties go to the smallest class)."""
        n, shots, _ = self.logits.shape
        if not 1 <= k <= shots:
            raise ValueError(f"a {k}-shot vote needs 1 <= k <= shots ({shots})")
        budget.check(8 * n * (shots // k), f"{n:,} samples × {shots // k:,} votes of {k} shots",
                     "use fewer shots or vote_accuracy (which keeps no votes)")
        out = np.empty((n, shots // k), dtype=np.int64)
        filled = {}
        for lo, hi, block in self._vote_blocks(k):
            g0 = filled.get(lo, 0)
            out[lo:hi, g0: g0 + block.shape[1]] = block
            filled[lo] = g0 + block.shape[1]
        return out

    def vote_accuracy(self, labels, k: int = 15) -> float:
        """Accuracy of k-shot majority votes, averaged over the shots // k votes per sample."""
        labels = self._labels(labels)
        n, shots, _ = self.logits.shape
        if not 1 <= k <= shots:
            raise ValueError(f"a {k}-shot vote needs 1 <= k <= shots ({shots})")
        if self._one_shot:  # every vote is the one outcome's argmax
            return float(np.mean(np.argmax(self.logits[:, 0], axis=-1) == labels))
        hits = sum(int(np.count_nonzero(block == labels[lo:hi, None])) for lo, hi, block in self._vote_blocks(k))
        return hits / max(1, n * (shots // k))

    # -- reductions in blocks: nothing of size samples × shots × classes is materialised ------

    @property
    def _one_shot(self) -> bool:
        """Whether every shot is one broadcast outcome (the classical values)."""
        return self.logits.ndim == 3 and self.logits.shape[1] > 1 and self.logits.strides[1] == 0

    def _labels(self, labels) -> np.ndarray:
        labels = np.asarray(labels).reshape(-1)
        if labels.size != self.logits.shape[0]:
            raise InputError(f"{labels.size:,} labels for {self.logits.shape[0]:,} samples; give one label per sample")
        return labels

    def _argmaxes(self, k: int = 1):
        """(lo, hi, argmax over classes of samples lo:hi and a run of whole k-shot groups) in
        blocks of at most BLOCK_ELEMENTS logits."""
        n, shots, classes = self.logits.shape
        span = min(shots, max(k, BLOCK_ELEMENTS // max(1, classes) // k * k))
        rows = max(1, BLOCK_ELEMENTS // max(1, span * classes))
        for lo in range(0, n, rows):
            hi = min(n, lo + rows)
            for s0 in range(0, shots - shots % k, span):
                yield lo, hi, np.argmax(self.logits[lo:hi, s0: min(shots - shots % k, s0 + span)], axis=-1)

    def _vote_blocks(self, k: int):
        """(lo, hi, votes of samples lo:hi), the votes of consecutive blocks in shot order."""
        n, shots, classes = self.logits.shape
        if self._one_shot:
            winner = np.argmax(self.logits[:, 0], axis=-1)
            yield 0, n, np.broadcast_to(winner[:, None], (n, shots // k))
            return
        for lo, hi, per_shot in self._argmaxes(k):
            per_shot = per_shot.reshape(hi - lo, -1, k)
            counts = np.zeros(per_shot.shape[:2] + (classes,), dtype=np.int32)
            for c in range(classes):
                counts[..., c] = np.count_nonzero(per_shot == c, axis=-1)
            yield lo, hi, np.argmax(counts, axis=-1)
