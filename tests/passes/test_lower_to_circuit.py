"""LowerToCircuit: gates per neuron; at τ = 0 one conditional X per fed-forward neuron; carried
neuron qubits undo their last outcome with a conditional R_y(−π)."""

import math

import bnn2q
from bnn2q.ir.circuit import ComputedAngle, IfBit, IfCompare, Measure, RY, X
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


def test_linear_angles_left_unchained_become_one_computed_rotation():
    """Without BuildLevelChains (a target computing angles at run time) a fed-forward neuron is one
    R_y whose ComputedAngle holds its linear form, the carried outcome folded in; the depth
    waits for the bits it reads."""
    from bnn2q import activations
    from bnn2q.passes.allocate_qubits import AllocateQubits
    from bnn2q.passes.insert_activation import InsertActivation
    from bnn2q.passes.lower_to_circuit import LowerToCircuit

    act = activations.get("ancilla", 0.5, 1.0)
    qnet = InsertActivation(act, TINY_INPUT).run(tiny_network())
    circuit = LowerToCircuit().run(AllocateQubits(4).run(qnet))
    computed = [op for op in circuit.ops if isinstance(op, RY) and isinstance(op.angle, ComputedAngle)]
    assert [(op.qubit, op.angle.carry) for op in computed] == [(0, 0), (1, 1)]
    assert computed[0].angle.terms == ((0, 0.5), (1, -0.5), (2, 0.5)) and computed[0].angle.offset == 0.0
    assert circuit.counts()["if"] == 0 and circuit.counts()["setsum"] == 0
    # the first layer's three neurons share one ancilla (6 layers each: R_y or reset, CX, R_y, CX, H,
    # measure); m[3]'s rotation waits for m[2], then its measurement: 3 · 6 + 2
    assert circuit.depth() == 20
