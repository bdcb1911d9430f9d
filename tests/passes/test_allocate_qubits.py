"""AllocateQubits: the qubit budget, resets for reuse, and the qubits/depth trade-off; neuron
qubits that carry their state (the ancilla activation) stay put from layer to layer."""

import pytest

import bnn2q
from bnn2q.errors import TargetError
from bnn2q.passes.allocate_qubits import AllocateQubits
from bnn2q.passes.build_level_chains import BuildLevelChains
from bnn2q.passes.insert_activation import InsertActivation
from tests.targets.conftest import TINY_INPUT, tiny_network


def schedule(max_qubits, activation="rotation", g=1.0):
    act = bnn2q.activations.get(activation, 0.5, g)
    qnet = BuildLevelChains().run(InsertActivation(act, TINY_INPUT).run(tiny_network()))
    return AllocateQubits(max_qubits).run(qnet)


@pytest.mark.parametrize("budget,qubits,resets", [(1, 1, 4), (2, 2, 3), (3, 3, 2), (5, 5, 0), (None, 5, 0)])
def test_rotation_budget_and_resets(budget, qubits, resets):
    s = schedule(budget)
    assert s.n_qubits == qubits
    assert sum(p.reset_qubit for p in s.placements) == resets
    assert [p.bit for p in s.placements] == [0, 1, 2, 3, 4]


def test_ancilla_reset_pairs_and_odd_budget():
    s = schedule(3, "ancilla-reset")
    assert s.n_qubits == 2 and {(p.qubit, p.ancilla) for p in s.placements} == {(0, 1)}


def test_carried_neurons_keep_their_qubit_and_share_ancillas():
    s = schedule(4, "ancilla")  # widest layer 3 + one ancilla
    assert s.n_qubits == 4
    first, second = s.placements[:3], s.placements[3:]
    assert [p.qubit for p in first] == [0, 1, 2] and all(p.ancilla == 3 for p in first)
    assert [p.ancilla for p in first[1:]] == [3, 3] and [p.reset_ancilla for p in first] == [False, True, True]
    # The last hidden layer is read projectively on the qubits that carried layer 1's state.
    assert [(p.qubit, p.ancilla, p.reset_qubit) for p in second] == [(0, None, False), (1, None, False)]


def test_unbounded_carried_neurons_get_fresh_ancillas():
    s = schedule(None, "ancilla")
    assert s.n_qubits == 3 + 3 and not any(p.reset_ancilla or p.reset_qubit for p in s.placements)


def test_depth_falls_as_the_budget_grows():
    depths = [bnn2q.compile(tiny_network(), "qasm3", quantumness=0.5, inputs=TINY_INPUT,
                            max_qubits=b).resources["depth"] for b in (1, 2, 3, None)]
    assert depths == sorted(depths, reverse=True) and depths[0] > depths[-1]


def test_budget_below_minimum():
    with pytest.raises(TargetError, match=r"max_qubits=0 is below the rotation activation's minimum of 1 qubit"):
        schedule(0)
    with pytest.raises(TargetError, match=r"max_qubits=3 is below the ancilla activation's minimum of 4 "
                                          r"qubits \(the widest layer's 3 neuron qubits"):
        schedule(3, "ancilla")
