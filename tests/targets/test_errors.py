"""Requests a target cannot meet fail with one line naming the limit and the way out."""

import pytest

import bnn2q
from bnn2q.errors import InputError, TargetError
from bnn2q.targets.capabilities import Capabilities

from .conftest import TINY_INPUT


def test_budget_below_the_activation_minimum(tiny):
    with pytest.raises(TargetError, match=r"max_qubits=1 is below the ancilla-reset activation's minimum of 2 qubits.*at least 2"):
        bnn2q.compile(tiny, "qasm3", activation="ancilla-reset", max_qubits=1)
    with pytest.raises(TargetError, match=r"max_qubits=3 is below the ancilla activation's minimum of 4 qubits.*at least 4"):
        bnn2q.compile(tiny, "qasm3", activation="ancilla", max_qubits=3, strategy="dynamic")
    # auto picks what runs: one layer per circuit, whose carried states the host prepares again
    prog = bnn2q.compile(tiny, "qasm3", activation="ancilla", max_qubits=3)
    assert prog.strategy == "layerwise" and prog.resources["qubits"] <= 3
    with pytest.raises(TargetError, match=r"max_qubits=1 is below the ancilla activation's minimum of 2 qubits"):
        bnn2q.compile(tiny, "qasm3", activation="ancilla", max_qubits=1)


def test_ibm_cannot_feed_forward_arithmetic(tiny):
    with pytest.raises(TargetError, match=r"target 'ibm' cannot run strategy 'dynamic': layer 'd2' needs "
                                          r"integer arithmetic.*use strategy='layerwise'"):
        bnn2q.compile(tiny, "ibm", strategy="dynamic")


def test_ibm_budget_over_the_device(tiny):
    with pytest.raises(TargetError, match=r"offers 115 qubits; pass max_qubits <= 115"):
        bnn2q.compile(tiny, "ibm", max_qubits=200)


def test_conditional_limit():
    caps = Capabilities("demo", ("dynamic",), "arithmetic", max_conditionals=4)
    with pytest.raises(TargetError, match=r"allows 4 conditional operations per job but the program has 6; "
                                          r"raise the pruning tolerance"):
        caps.check({"qubits": 1, "conditionals": 6})


def test_backend_must_match_the_target(tiny):
    prog = bnn2q.compile(tiny, "qasm3", inputs=TINY_INPUT)
    with pytest.raises(TargetError, match=r"backend 'aer' does not run programs for target 'qasm3'; compile with target='ibm'"):
        bnn2q.run(prog, backend="aer", shots=10)


def test_braket_local_qubit_limit(tiny):
    from bnn2q.targets.braket import local as braket_local

    with pytest.raises(TargetError, match=r"at most 26 qubits, the program uses 30; recompile with max_qubits <= 26"):
        braket_local.sample("OPENQASM 3.0;", {}, 1, 0, n_qubits=30, n_bits=1)


def test_unbound_program_needs_inputs(tiny):
    prog = bnn2q.compile(tiny, "braket", quantumness=0.5)
    with pytest.raises(InputError, match=r"pass inputs= \(one sample\)"):
        bnn2q.run(prog, shots=10)


def test_layerwise_program_has_no_single_qasm(tiny):
    prog = bnn2q.compile(tiny, "qasm3", strategy="layerwise")
    assert len(prog.qasm_layers) == 2
    with pytest.raises(TargetError, match=r"read prog.qasm_layers"):
        prog.qasm


def test_unknown_names():
    with pytest.raises(InputError, match=r"unknown target 'cirq': use one of qasm3, braket, ibm"):
        bnn2q.compile(None, "cirq")
