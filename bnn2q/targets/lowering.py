"""The passes from a ``Network`` to gate-level circuits for one strategy: the lowering every
target shares (``compile`` runs it; so does the placement of a device's noise)."""

from __future__ import annotations

from dataclasses import replace

from ..ir import Network
from ..ir.circuit import Circuit
from ..ir.plan import InputAngle, QuantumLayer, QuantumNetwork, Schedule
from ..passes.allocate_qubits import AllocateQubits
from ..passes.build_integer_aux import BuildIntegerAux
from ..passes.build_level_chains import BuildLevelChains
from ..passes.insert_activation import InsertActivation
from ..passes.lower_to_circuit import LowerToCircuit
from ..passes.manager import PassManager

IR_TYPES = (Network, QuantumNetwork, Schedule, Circuit)


def lower(net, act, inputs, strategy: str, tolerance: float, int_bits: int, budget, caps):
    """The QuantumNetwork, the schedules and the circuits of a strategy: one, or one per hidden
    layer. A target that computes angles at run time keeps them LinearAngle (no level chains)."""
    feed = "dynamic" if strategy == "dynamic" else "host"
    chained = caps.feed_forward != "computed"
    chains = [BuildIntegerAux(int_bits, f"target {caps.name!r}"), BuildLevelChains(tolerance, int_bits)]
    front = [InsertActivation(act, inputs, feed)] + (chains if chained else [])
    qnet = PassManager(front, IR_TYPES).run(net)
    parts = [qnet] if strategy == "dynamic" else [single_layer(qnet, k) for k in range(len(qnet.layers))]
    schedules = tuple(PassManager([AllocateQubits(budget)], IR_TYPES).run(q) for q in parts)
    circuits = tuple(PassManager([LowerToCircuit()], IR_TYPES).run(s) for s in schedules)
    return qnet, schedules, circuits


def single_layer(qnet: QuantumNetwork, k: int) -> QuantumNetwork:
    """Hidden layer k alone, its bits re-based to m[0:width] and input angles ``theta_<j>``."""
    layer = qnet.layers[k]
    neurons = tuple(
        replace(n, bit=n.index, carry=None,
                angle=InputAngle(f"theta_{n.index}") if isinstance(n.angle, InputAngle) else n.angle)
        for n in layer.neurons
    )
    one = QuantumLayer(layer.name, neurons, 0, len(neurons), layer.readout)
    return QuantumNetwork((one,), qnet.activation, qnet.source)
