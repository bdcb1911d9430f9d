"""What a target's output may use (SPEC §4), and the check of a program's resources against it."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import TargetError

#: Feed-forward levels, weakest first.
FEED_FORWARD = {
    "none": "no feed-forward",
    "bits": "if/else on measured bits only (no classical arithmetic, no runtime angles)",
    "arithmetic": "integer arithmetic on measured bits, comparisons and if",
    "computed": "real-time arithmetic on measured bits and rotation angles computed at run time",
}
#: Feed-forward levels that can compute a neuron's sum of measured bits.
SUMS = ("arithmetic", "computed")


@dataclass(frozen=True)
class Capabilities:
    """A target's declared abilities.

    strategies: the strategies it can run, the default first.
    feed_forward: a key of ``FEED_FORWARD``.
    mid_circuit_measurement, reset: needed to reuse qubits under ``max_qubits``.
    max_qubits: physical qubits of the device model (None: no fixed device).
    max_conditionals: conditional operations one job may hold (None: no bound).
    backends: the ``bnn2q.run`` backends that execute its programs.
    int_bits: the widest integer its feed-forward arithmetic holds.
    integer_aux: its feed-forward also keeps integers between neurons and assigns them under
        conditions — a ReLU, clip or max of integer sums between two signs (``ir.controller``)."""

    name: str
    strategies: tuple[str, ...]
    feed_forward: str
    mid_circuit_measurement: bool = True
    reset: bool = True
    max_qubits: int | None = None
    max_conditionals: int | None = None
    backends: tuple[str, ...] = ()
    #: Widest integer the feed-forward arithmetic may use (the default for ``int_bits``).
    int_bits: int = 64
    integer_aux: bool = False

    def check(self, resources: dict) -> dict:
        """Raise TargetError if ``resources`` exceed a limit; return the limits checked."""
        if self.max_qubits is not None and resources["qubits"] > self.max_qubits:
            raise TargetError(
                f"target {self.name!r} has {self.max_qubits} qubits but the program needs "
                f"{resources['qubits']}; pass max_qubits <= {self.max_qubits} (--max-qubits) to reuse qubits"
            )
        if self.max_conditionals is not None and resources["conditionals"] > self.max_conditionals:
            raise TargetError(
                f"target {self.name!r} allows {self.max_conditionals} conditional operations per job "
                f"but the program has {resources['conditionals']}; raise the pruning tolerance "
                "(--tolerance) or use strategy='layerwise', which needs none"
            )
        return {
            "max_qubits": self.max_qubits,
            "max_conditionals": self.max_conditionals,
            "feed_forward": self.feed_forward,
        }
