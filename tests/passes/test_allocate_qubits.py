"""AllocateQubits: the qubit budget, resets for reuse, and the qubits/depth trade-off."""

import pytest

import bnn2q
from bnn2q.errors import TargetError
from bnn2q.passes.allocate_qubits import AllocateQubits
from bnn2q.passes.insert_activation import InsertActivation
from tests.targets.conftest import TINY_INPUT, tiny_network


def schedule(max_qubits, activation="rotation"):
    act = bnn2q.activations.get(activation, 0.5)
    return AllocateQubits(max_qubits).run(InsertActivation(act, TINY_INPUT).run(tiny_network()))


@pytest.mark.parametrize("budget,qubits,resets", [(1, 1, 4), (2, 2, 3), (3, 3, 2), (5, 5, 0), (None, 5, 0)])
def test_rotation_budget_and_resets(budget, qubits, resets):
    s = schedule(budget)
    assert s.n_qubits == qubits
    assert sum(p.reset_qubit for p in s.placements) == resets
    assert [p.bit for p in s.placements] == [0, 1, 2, 3, 4]


def test_ancilla_pairs_and_odd_budget():
    s = schedule(3, "ancilla")
    assert s.n_qubits == 2 and {(p.qubit, p.ancilla) for p in s.placements} == {(0, 1)}


def test_depth_falls_as_the_budget_grows():
    depths = [bnn2q.compile(tiny_network(), "qasm3", quantumness=0.5, inputs=TINY_INPUT,
                            max_qubits=b).resources["depth"] for b in (1, 2, 3, None)]
    assert depths == sorted(depths, reverse=True) and depths[0] > depths[-1]


def test_budget_below_minimum():
    with pytest.raises(TargetError, match=r"max_qubits=0 is below the rotation activation's minimum of 1 qubit"):
        schedule(0)
