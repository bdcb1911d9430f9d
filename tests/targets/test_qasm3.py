"""OpenQASM 3 output: golden text for the 2-3-2 network, reference-parser round trips."""

import math

import numpy as np

import openqasm3
import pytest

import bnn2q
from bnn2q.targets.qasm3 import emit as qasm3

from .conftest import TINY_INPUT

GOLDEN_CLASSICAL_2_3_2 = """\
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[5] m;
int[64] z;
x q[0];
m[0] = measure q[0];
x q[1];
m[1] = measure q[1];
reset q[0];
m[2] = measure q[0];
reset q[0];
z = -1 + 2 * m[0] - 2 * m[1] + 2 * m[2];
if (z >= 1) {
  x q[0];
}
m[3] = measure q[0];
reset q[1];
z = 1 + 2 * m[0] - 2 * m[1] - 2 * m[2];
if (z >= 1) {
  x q[1];
}
m[4] = measure q[1];
"""


def test_golden_classical_tiny_network(tiny):
    prog = bnn2q.compile(tiny, "qasm3", quantumness=0.0, inputs=TINY_INPUT, max_qubits=2)
    assert prog.qasm == GOLDEN_CLASSICAL_2_3_2
    assert prog.layout == [("d1", 0, 3), ("d2", 3, 5)]


PROGRAMS = [
    dict(quantumness=0.0, inputs=TINY_INPUT, max_qubits=2),
    dict(quantumness=0.5, inputs=TINY_INPUT, max_qubits=1),
    dict(quantumness=0.5),
    dict(activation="ancilla-reset", quantumness=0.3, g=1.0, max_qubits=3),
    dict(activation="ancilla", quantumness=0.3, g=1.0, max_qubits=4),
    dict(activation="ancilla", strategy="layerwise"),
]


@pytest.mark.parametrize("options", PROGRAMS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items() if k != "inputs"))
def test_round_trips_through_the_reference_parser(tiny, options):
    prog = bnn2q.compile(tiny, "qasm3", **options)
    for text, circuit in zip(prog.qasm_layers, prog.circuits):
        parsed = openqasm3.parse(text)
        assert openqasm3.parse(openqasm3.dumps(parsed)) == parsed
        assert parsed == qasm3.to_ast(circuit, "standard", prog.resources["int_bits"])  # the printed text is exactly the built tree


def test_braket_dialect_uses_its_builtin_gates_and_one_register(tiny):
    text = bnn2q.compile(tiny, "braket", activation="ancilla", quantumness=0.5, g=1.0).qasm
    assert "include" not in text and "cnot q[" in text and "cx " not in text
    assert [line for line in text.splitlines() if line.startswith("bit")] == ["bit[5] m;"]
    assert "if (m[0] == 1) {" in text  # a carried neuron undoes its last outcome


def test_standard_dialect_includes_stdgates_and_uses_cx(tiny):
    text = bnn2q.compile(tiny, "qasm3", activation="ancilla-reset", quantumness=0.5, g=1.0).qasm
    assert text.splitlines()[1] == 'include "stdgates.inc";' and "cx q[" in text and "cnot" not in text


def test_unbound_inputs_are_declared_inputs(tiny):
    prog = bnn2q.compile(tiny, "qasm3", quantumness=0.5)
    assert prog.params == ("theta_0", "theta_1", "theta_2")
    assert "input float[64] theta_0;" in prog.qasm


def test_level_chain_steps_sum_to_the_activation_angle(tiny):
    from bnn2q.passes.build_level_chains import BuildLevelChains
    from bnn2q.passes.insert_activation import InsertActivation
    from bnn2q.host.forward import HostPass

    act = bnn2q.activations.get("rotation", 0.5)
    prog = bnn2q.compile(tiny, "qasm3", activation=act, inputs=TINY_INPUT)
    qnet = BuildLevelChains().run(InsertActivation(act, TINY_INPUT).run(tiny))
    for bits in range(8):  # every outcome of the first layer
        s = np.array([[(bits >> j) & 1 for j in range(3)]])
        host = HostPass(tiny, TINY_INPUT)
        host.measured(0, s)
        u = host.preactivation(1)[0]
        for neuron in qnet.layers[1].neurons:
            chain = neuron.angle
            z = sum(k * (2 * s[0, b] - 1) for b, k in chain.terms)
            theta = chain.base + sum(d for level, d in chain.steps if z >= level)
            assert math.isclose(theta, float(act.angle(u[neuron.index])), abs_tol=1e-12)
    assert prog.resources["conditionals"] == 6


def test_long_sums_continue_in_chunks_that_braket_parses():
    """A 300-input neuron: one left-associated sum would nest 300 deep and overflow Braket's
    recursive parser; chunks of ``z += …`` keep every statement shallow."""
    import numpy as np
    from braket.default_simulator.openqasm.parser.openqasm_parser import parse as braket_parse

    from bnn2q.ir import Dense, Sign
    from bnn2q.ir.build import sequential

    rng = np.random.default_rng(0)
    ops = (Dense("d1", rng.choice([-1, 1], (300, 4))), Sign("s1"), Dense("d2", rng.choice([-1, 1], (1, 300))),
           Sign("s2"), Dense("d3", rng.choice([-1, 1], (2, 1))))
    net = bnn2q.load(sequential((4,), ops))
    prog = bnn2q.compile(net, "qasm3", inputs=rng.normal(size=4))
    lines = [line for line in prog.qasm.splitlines() if line.startswith("z ")]
    assert len(lines) == -(-300 // qasm3.SUM_CHUNK) and lines[1].startswith("z += ")
    assert openqasm3.parse(prog.qasm) == qasm3.to_ast(prog.circuits[0], "standard", prog.resources["int_bits"])
    braket_parse(prog.qasm)
