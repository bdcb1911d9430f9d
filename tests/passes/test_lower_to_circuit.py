"""LowerToCircuit: gates per neuron; at τ = 0 one conditional X per fed-forward neuron."""

import bnn2q
from bnn2q.circuit import IfCompare, X
from tests.targets.conftest import TINY_INPUT, tiny_network


def test_classical_neuron_is_one_conditional_x():
    circuit = bnn2q.compile(tiny_network(), "qasm3", quantumness=0.0, inputs=TINY_INPUT).circuits[0]
    conditionals = [op for op in circuit.ops if isinstance(op, IfCompare)]
    assert len(conditionals) == 2 and all(isinstance(op.gate, X) for op in conditionals)
    # d2 neuron 1 has a negative scale: it fires below its threshold.
    assert [op.op for op in conditionals] == [">=", "<"]


def test_ancilla_neuron_gates():
    circuit = bnn2q.compile(tiny_network(), "qasm3", activation="ancilla", g=1.0, inputs=TINY_INPUT).circuits[0]
    counts = circuit.counts()
    assert counts["cx"] == 10 and counts["h"] == 5 and counts["measure"] == 5
