"""Target ``ibm``: Qiskit ``QuantumCircuit``s for qiskit-aer and IBM dynamic-circuit hardware.

IBM hardware offers if/else on measured bits but no classical arithmetic and no runtime
angles, so a neuron whose angle depends on a weighted sum of earlier bits cannot be fed
forward in one circuit. The default strategy is therefore ``layerwise``: one static circuit
per layer (R_y with bound parameters, mid-circuit measure + reset to reuse qubits), the host
computing each layer's angles from the previous layer's bits shot by shot. ``dynamic`` is
accepted only when no feed-forward is needed (one hidden layer).

Each circuit is also transpiled to an IBM-like device model — ``GenericBackendV2`` on a
heavy-hex coupling map with a CZ basis — with every neuron/ancilla pair placed on a coupled
pair of physical qubits, and its depth and two-qubit gate count are reported."""

from __future__ import annotations

import functools

from ..circuit import CX, RY, H, IfBit, IfCompare, Measure, Param, Reset, SetSum, X
from ..errors import TargetError
from .capabilities import Capabilities

#: Heavy-hex code distance of the device model: (5d² − 2d − 1)/2 = 115 qubits at d = 7.
HEAVY_HEX_DISTANCE = 7
BASIS = ("cz", "id", "rz", "sx", "x")
DEVICE_QUBITS = (5 * HEAVY_HEX_DISTANCE**2 - 2 * HEAVY_HEX_DISTANCE - 1) // 2

CAPABILITIES = Capabilities(
    name="ibm",
    strategies=("layerwise", "dynamic"),
    feed_forward="bits",
    max_qubits=DEVICE_QUBITS,
    backends=("aer",),
)


@functools.lru_cache(maxsize=1)
def device_model():
    """The IBM-like device: GenericBackendV2 on a heavy-hex map (fixed seed, CZ basis)."""
    from qiskit.providers.fake_provider import GenericBackendV2
    from qiskit.transpiler import CouplingMap

    cmap = CouplingMap.from_heavy_hex(HEAVY_HEX_DISTANCE)
    return GenericBackendV2(cmap.size(), basis_gates=list(BASIS), coupling_map=cmap, seed=0)


@functools.lru_cache(maxsize=1)
def coupled_pairs() -> tuple:
    """A maximum matching of the heavy-hex map: disjoint coupled (neuron, ancilla) pairs."""
    import rustworkx as rx

    graph = device_model().coupling_map.graph.to_undirected(multigraph=False)
    matching = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=lambda _: 1)
    return tuple(sorted(tuple(sorted(e)) for e in matching))


def budget(act, max_qubits):
    """The qubit budget on the device model: None becomes all it offers for this activation."""
    limit = DEVICE_QUBITS if act.min_qubits == 1 else 2 * len(coupled_pairs())
    if max_qubits is None:
        return limit
    if max_qubits > limit:
        what = "qubits" if act.min_qubits == 1 else f"qubits in {limit // 2} coupled neuron/ancilla pairs"
        raise TargetError(
            f"target 'ibm' (heavy-hex device model) offers {limit} {what}; pass max_qubits <= {limit}"
        )
    return max_qubits


def to_qiskit(circuit, name: str = "bnn2q"):
    """The QuantumCircuit of a bnn2q Circuit: register ``q``, bits ``m``, parameters ``theta[j]``."""
    from qiskit.circuit import ClassicalRegister, ParameterVector, QuantumCircuit, QuantumRegister

    if any(isinstance(op, (SetSum, IfCompare)) for op in circuit.ops):
        raise TargetError("target 'ibm' cannot express classical arithmetic on measured bits; "
                          "use strategy='layerwise'")
    q, m = QuantumRegister(circuit.n_qubits, "q"), ClassicalRegister(circuit.n_bits, "m")
    qc = QuantumCircuit(q, m, name=name)
    theta = ParameterVector("theta", len(circuit.params))
    index = {p: i for i, p in enumerate(circuit.params)}
    for op in circuit.ops:
        if isinstance(op, RY):
            qc.ry(theta[index[op.angle.name]] if isinstance(op.angle, Param) else op.angle, q[op.qubit])
        elif isinstance(op, X):
            qc.x(q[op.qubit])
        elif isinstance(op, H):
            qc.h(q[op.qubit])
        elif isinstance(op, CX):
            qc.cx(q[op.control], q[op.target])
        elif isinstance(op, Measure):
            qc.measure(q[op.qubit], m[op.bit])
        elif isinstance(op, Reset):
            qc.reset(q[op.qubit])
        elif isinstance(op, IfBit):
            with qc.if_test((m[op.bit], 1)):
                qc.ry(op.gate.angle, q[op.gate.qubit])
    return qc


def initial_layout(n_qubits: int, ancilla: bool) -> list[int]:
    """Physical qubit of each virtual one: pairs (2s, 2s + 1) on coupled qubits for ancilla."""
    if not ancilla:
        return list(range(n_qubits))
    return [p for pair in coupled_pairs()[: (n_qubits + 1) // 2] for p in pair][:n_qubits]


def transpile_report(qcs) -> tuple[list, dict]:
    """Transpile to the device model; report its depth and two-qubit gates (summed per layer).
    Circuits with neuron/ancilla pairs (two-qubit gates) place each pair on coupled qubits."""
    from qiskit import transpile

    backend = device_model()
    out = [transpile(qc, backend, initial_layout=initial_layout(qc.num_qubits, "cx" in qc.count_ops()),
                     optimization_level=1, seed_transpiler=0) for qc in qcs]
    two_qubit = sum(sum(n for g, n in t.count_ops().items() if g in ("cz", "cx", "ecr", "swap")) for t in out)
    return out, {
        "device": f"GenericBackendV2, heavy-hex d={HEAVY_HEX_DISTANCE} ({DEVICE_QUBITS} qubits), basis {'/'.join(BASIS)}",
        "depth": int(sum(t.depth() for t in out)),
        "two_qubit_gates": int(two_qubit),
        "swaps": int(sum(t.count_ops().get("swap", 0) for t in out)),
    }


def build(circuits, act, int_bits: int = 32, schedules: tuple = ()):
    """(QuantumCircuits, no OpenQASM text, the transpiled report)."""
    qcs = tuple(to_qiskit(c, f"layer{k}") for k, c in enumerate(circuits))
    _, report = transpile_report(qcs)
    return qcs, (), {"transpiled": report}
