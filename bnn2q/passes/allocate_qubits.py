"""AllocateQubits: place neurons on at most ``max_qubits`` physical qubits, reusing measured
qubits after a reset — QuantumNetwork → Schedule."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from ..errors import TargetError
from ..plan import Placement, QuantumNetwork, Schedule
from .base import Pass


@dataclass(frozen=True)
class AllocateQubits(Pass):
    """A list schedule in rounds. A neuron needs a *slot* — one qubit (rotation) or a
    neuron/ancilla pair (ancilla) — for one round: prepare, (couple,) measure. A layer cannot
    start before the previous layer's last measurement (its angles read those bits), so with
    S slots a layer of width w takes ⌈w/S⌉ rounds and the depth grows as Σ_ℓ ⌈w_ℓ/S⌉.

    Each neuron takes the slot free earliest, preferring a never-used one (no reset); a reused
    slot is reset first. ``max_qubits=None`` gives every neuron fresh qubits (no resets, the
    least depth). The statistics do not depend on the schedule: every qubit starts in |0⟩
    and neurons of one layer only interact through measured bits."""

    max_qubits: int | None = None
    name = "allocate-qubits"
    accepts = (QuantumNetwork,)
    returns = (Schedule,)

    def run(self, qnet: QuantumNetwork) -> Schedule:
        per = qnet.activation.min_qubits
        neurons = qnet.neurons
        if self.max_qubits is None:
            n_slots = len(neurons)
        else:
            if int(self.max_qubits) != self.max_qubits or self.max_qubits < per:
                raise TargetError(
                    f"max_qubits={self.max_qubits} is below the {qnet.activation.name} activation's "
                    f"minimum of {per} qubit{'s' if per > 1 else ''} (one neuron{' + its ancilla' if per > 1 else ''}); "
                    f"raise --max-qubits to at least {per}"
                )
            n_slots = min(int(self.max_qubits) // per, len(neurons))
        used = [False] * n_slots
        placements, layer_start = [], 0
        for layer in qnet.layers:
            # At a layer's start every slot is free; heap order = (free at, reused?, slot).
            free = [(layer_start, used[s], s) for s in range(n_slots)]
            heapq.heapify(free)
            layer_end = layer_start
            for neuron in layer.neurons:
                at, reset, slot = heapq.heappop(free)
                used[slot] = True
                heapq.heappush(free, (at + 1, True, slot))
                layer_end = max(layer_end, at + 1)
                if per == 1:
                    placements.append(Placement(neuron.bit, slot, None, reset, False))
                else:
                    placements.append(Placement(neuron.bit, 2 * slot, 2 * slot + 1, reset, reset))
            layer_start = layer_end
        return Schedule(qnet, tuple(placements), n_slots * per)
