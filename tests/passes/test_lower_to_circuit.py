"""LowerToCircuit: gates per neuron; at τ = 0 one conditional X per fed-forward neuron; carried
neuron qubits undo their last outcome with a conditional R_y(−π)."""

import math

import bnn2q
from bnn2q.circuit import IfBit, IfCompare, Measure, RY, X
from tests.targets.conftest import TINY_INPUT, tiny_network


def test_classical_neuron_is_one_conditional_x():
    circuit = bnn2q.compile(tiny_network(), "qasm3", quantumness=0.0, inputs=TINY_INPUT).circuits[0]
    conditionals = [op for op in circuit.ops if isinstance(op, IfCompare)]
    assert len(conditionals) == 2 and all(isinstance(op.gate, X) for op in conditionals)


def test_ancilla_reset_neuron_gates():
    circuit = bnn2q.compile(tiny_network(), "qasm3", activation="ancilla-reset", g=1.0, inputs=TINY_INPUT).circuits[0]
    counts = circuit.counts()
    assert counts["cx"] == 10 and counts["h"] == 5 and counts["measure"] == 5


def test_carried_neurons_undo_their_last_outcome():
    circuit = bnn2q.compile(tiny_network(), "qasm3", activation="ancilla", g=1.0, inputs=TINY_INPUT,
                            max_qubits=4).circuits[0]
    counts = circuit.counts()
    assert counts["cx"] == 6 and counts["h"] == 3 and counts["measure"] == 5  # last layer projective
    undo = [op for op in circuit.ops if isinstance(op, IfBit)]
    assert [(op.bit, op.gate.qubit) for op in undo] == [(0, 0), (1, 1)]
    assert all(isinstance(op.gate, RY) and op.gate.angle == -math.pi for op in undo)
    last = [op for op in circuit.ops if isinstance(op, Measure)][-2:]
    assert [(op.qubit, op.bit) for op in last] == [(0, 3), (1, 4)]
