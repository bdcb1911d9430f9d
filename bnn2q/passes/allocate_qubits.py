"""AllocateQubits: place neurons on at most ``max_qubits`` physical qubits, reusing measured
qubits after a reset — QuantumNetwork → Schedule."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from ..errors import TargetError
from ..ir.plan import Placement, QuantumNetwork, Schedule
from .base import Pass


@dataclass(frozen=True)
class AllocateQubits(Pass):
    """A list schedule in rounds. ``max_qubits=None`` gives every neuron fresh qubits (no
    resets, the least depth); the statistics never depend on the schedule.

    Without memory a neuron needs a *slot* — one qubit (projective readout) or a neuron/ancilla
    pair (weak readout) — for one round: prepare, (couple,) measure. A layer cannot start before
    the previous layer's last measurement (its angles read those bits), so with S slots a layer
    of width w takes ⌈w/S⌉ rounds. Each neuron takes the slot free earliest, preferring a
    never-used one; a reused slot is reset first (every qubit starts in |0⟩).

    With memory (the ancilla activation) neuron j of every layer runs on neuron qubit j, which
    keeps its state from layer to layer (a qubit that idled through a narrower layer is reset:
    its neuron starts fresh); the remaining qubits are ancillas, each reset before reuse, so
    the budget is at least the widest layer plus one ancilla."""

    max_qubits: int | None = None
    name = "allocate-qubits"
    accepts = (QuantumNetwork,)
    returns = (Schedule,)

    def run(self, qnet: QuantumNetwork) -> Schedule:
        if qnet.memory:
            return self._carried(qnet)
        weak = any(layer.readout == "weak" for layer in qnet.layers)
        per = 2 if weak else 1
        neurons = qnet.neurons
        if self.max_qubits is None:
            n_slots = len(neurons)
        else:
            self._check(per, f"the {qnet.activation.name} activation's minimum of {per} "
                             f"qubit{'s' if per > 1 else ''} (one neuron{' + its ancilla' if per > 1 else ''})")
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

    def _check(self, minimum: int, what: str) -> None:
        if int(self.max_qubits) != self.max_qubits or self.max_qubits < minimum:
            raise TargetError(f"max_qubits={self.max_qubits} is below {what}; raise --max-qubits to "
                              f"at least {minimum}")

    def _carried(self, qnet: QuantumNetwork) -> Schedule:
        widest = max(len(layer.neurons) for layer in qnet.layers)
        weak_neurons = sum(len(layer.neurons) for layer in qnet.layers if layer.readout == "weak")
        if self.max_qubits is None:
            n_ancillas = weak_neurons
        else:
            self._check(widest + 1, f"the ancilla activation's minimum of {widest + 1} qubits (the "
                                    f"widest layer's {widest} neuron qubits, which keep their state, "
                                    "+ one ancilla)")
            n_ancillas = min(int(self.max_qubits) - widest, max(weak_neurons, 1))
        ancillas = [(0, False, widest + a) for a in range(n_ancillas)]  # (free at, used?, qubit)
        heapq.heapify(ancillas)
        held = [None] * widest  # the layer whose neuron each neuron qubit last held
        placements, layer_start = [], 0
        for k, layer in enumerate(qnet.layers):
            layer_end = layer_start
            for neuron in layer.neurons:
                j = neuron.index
                reset = held[j] is not None and held[j] != k - 1  # stale state: start fresh
                held[j] = k
                if layer.readout == "projective":
                    placements.append(Placement(neuron.bit, j, None, reset, False))
                    continue
                at, used, qubit = heapq.heappop(ancillas)
                at = max(at, layer_start)
                heapq.heappush(ancillas, (at + 1, True, qubit))
                layer_end = max(layer_end, at + 1)
                placements.append(Placement(neuron.bit, j, qubit, reset, used))
            layer_start = layer_end
        return Schedule(qnet, tuple(placements), widest + (n_ancillas if weak_neurons else 0))
