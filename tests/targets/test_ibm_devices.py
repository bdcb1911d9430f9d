"""Compiling for an IBM device: neurons on good qubits, pairs on good couplers, native ISA
circuits kept on the program and written as QPY; the same placement the noisy simulator uses."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.targets.ibm.noise import load as load_noise
from bnn2q.errors import InputError, TargetError
from bnn2q.targets.ibm.devices import BROKEN, device

from .conftest import TINY_INPUT

pytestmark = pytest.mark.xdist_group("ibm-devices")


@pytest.fixture(scope="module")
def torino():
    return device("ibm:fake_torino")


def test_pairs_are_disjoint_couplers_and_skip_broken_ones(torino):
    gate = torino.target["cz"]
    used = [q for pair in torino.pairs for q in pair]
    assert len(used) == len(set(used))
    assert all(pair in gate and gate[pair].error < BROKEN for pair in torino.pairs)
    assert {19, 20} not in [set(p) for p in torino.pairs]  # FakeTorino's coupler 19–20 reports error 1.0
    cost = [2 * gate[(n, a)].error + 2 * torino.target["sx"][(n,)].error + torino.target["measure"][(a,)].error
            for n, a in torino.pairs]
    assert cost == sorted(cost)


@pytest.mark.parametrize("activation", ["rotation", "ancilla-reset", "ancilla"])
def test_isa_circuits_are_native_and_placed_on_the_chosen_slots(tiny, torino, activation):
    prog = bnn2q.compile(tiny, "ibm", activation=activation, quantumness=0.5, g=1.0, backend="ibm:fake_torino",
                         inputs=TINY_INPUT)
    assert len(prog.isa) == 2 and prog.resources["transpiled"]["swaps"] == 0
    for isa, logical, layout in zip(prog.isa, prog.device.logical, prog.device.layouts):
        weak = "cx" in logical.count_ops()
        assert list(layout) == torino.initial_layout(logical.num_qubits, weak)
        assert isa.layout.initial_index_layout()[: len(layout)] == list(layout)
        # Angles stay parameters (bound after transpiling), even with the sample baked in.
        assert [p.name for p in isa.parameters] == [f"theta[{j}]" for j in range(isa.num_clbits)]
        for ci in isa.data:
            qargs = tuple(isa.find_bit(q).index for q in ci.qubits)
            assert torino.target.instruction_supported(ci.operation.name, qargs), ci.operation.name


def test_a_budget_reuses_the_same_physical_qubits(tiny, torino):
    prog = bnn2q.compile(tiny, "ibm", activation="ancilla-reset", g=1.0, quantumness=0.5, max_qubits=2,
                         backend="ibm:fake_torino")
    assert all(layout == torino.pairs[0] for layout in prog.device.layouts)
    assert prog.isa[0].count_ops()["reset"] >= 2


def test_noise_coefficients_follow_the_placement(tiny):
    """Neurons sharing a slot under a budget share their coefficients; without one they differ."""
    noise = load_noise("fake_torino")
    act = activations.get("rotation", 0.5)
    one = noise.with_budget(1).neuron_noise(tiny, act)
    assert all(np.ptp(layer.alpha) == 0 and np.ptp(layer.beta) == 0 for layer in one)
    assert one[0].alpha[0] == one[1].alpha[0]
    free = noise.neuron_noise(tiny, act)
    assert np.ptp(free[0].beta) > 0


def test_qpy_export_round_trips(small_model, tmp_path, capsys):
    from qiskit import qpy

    from bnn2q.cli import run as main

    model = tmp_path / "m.h5"
    small_model.save(model)
    out = tmp_path / "prog.qpy"
    assert main(["compile", str(model), "--target", "ibm", "--backend", "fake_sherbrooke", "--activation",
                 "ancilla", "--quantumness", "0.5", "--g", "1", "-o", str(out)]) == 0
    assert "fake_sherbrooke (physical qubits" in capsys.readouterr().out
    with open(out, "rb") as f:
        circuits = qpy.load(f)
    assert len(circuits) == 2 and all(c.metadata["device"] == "fake_sherbrooke" for c in circuits)
    assert circuits[0].metadata["bnn2q"]["bits"] == [0, 6] and "ecr" in circuits[0].count_ops()
    prog = bnn2q.compile(bnn2q.load(model), "ibm", activation="ancilla", quantumness=0.5, g=1,
                         backend="fake_sherbrooke")
    assert [c.count_ops() for c in circuits] == [c.count_ops() for c in prog.isa]


def test_device_errors_are_one_line(tiny, tmp_path, capsys):
    from bnn2q.cli import run as main

    with pytest.raises(InputError, match=r"unknown fake backend 'fake_nowhere'.*e.g. fake_torino"):
        bnn2q.compile(tiny, "ibm", backend="fake_nowhere")
    with pytest.raises(InputError, match=r"backend= names a device.*only target 'ibm'"):
        bnn2q.compile(tiny, "qasm3", backend="fake_torino")
    with pytest.raises(TargetError, match=r"device 'fake_miami' has no reset.*raise max_qubits"):
        bnn2q.compile(tiny, "ibm", backend="fake_miami", max_qubits=1, quantumness=0.5)
    with pytest.raises(TargetError, match=r"offers \d+ qubits in \d+ coupled neuron/ancilla pairs"):
        bnn2q.compile(tiny, "ibm", activation="ancilla-reset", g=1.0, backend="fake_torino", max_qubits=1000)
    out = tmp_path / "p.qpy"
    assert main(["compile", "x.h5", "--target", "qasm3", "-o", str(out)]) == 1
    assert "a .qpy file holds Qiskit circuits: compile with --target ibm" in capsys.readouterr().err
    assert not out.exists()


def test_a_real_device_name_without_an_account_is_one_line(tiny, monkeypatch, tmp_path):
    """No network is touched: the runtime finds no saved account and says so."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "")
    with pytest.raises(InputError, match=r"IBM device 'ibm_nowhere' is not available .*saved account"):
        bnn2q.compile(tiny, "ibm", backend="ibm:ibm_nowhere", g=math.pi / 2)
