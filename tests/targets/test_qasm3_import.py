"""Qiskit's OpenQASM 3 importer (qiskit-qasm3-import) reads every program of target ``qasm3``
that needs no classical arithmetic — each layerwise circuit, and the dynamic program of a
network with one hidden layer — and the circuits it reads sample the semantics' law."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.ir import Dense
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize

SHOTS = 4000
KNOBS = {"rotation": dict(quantumness=0.5), "ancilla-reset": dict(quantumness=0.5, g=0.9),
         "ancilla": dict(quantumness=0.5, g=0.9)}


def one_hidden_layer():
    w1 = np.array([[1, -1], [1, 1], [-1, 1]])
    return canonicalize(chain((2,), [Layer(Dense("d1", w1), [1.0, 1.0, 1.0], [0.1, -0.2, 0.3]),
                                     Layer(Dense("out", np.array([[1, 1, -1], [1, -1, 1]])))], source="one"))


def imported_frequencies(text: str, thetas: np.ndarray) -> tuple:
    """Import ``text``, bind its inputs ``theta_<j>`` to ``thetas[j]``, sample it on Aer."""
    from qiskit import qasm3
    from qiskit_aer.primitives import SamplerV2

    qc = qasm3.loads(text)
    values = [thetas[int(p.name.rsplit("_", 1)[1])] for p in qc.parameters]
    result = SamplerV2(seed=1).run([(qc, values if values else None, SHOTS)]).result()[0]
    return qc, result.data.m.to_bool_array(order="little").reshape(SHOTS, -1).mean(axis=0)


def law(activation: str, thetas: np.ndarray, weak: bool) -> np.ndarray:
    """P(bit = 1) of neurons prepared at θ from |0⟩, read out projectively or weakly."""
    f = math.sin(KNOBS[activation]["g"]) if weak else 1.0
    return (1 - f) / 2 + f * np.sin(thetas / 2) ** 2


def assert_law(freq, p):
    assert np.all(np.abs(freq - p) <= 4.5 * np.sqrt(p * (1 - p) / SHOTS) + 1e-9), (freq, p)


@pytest.mark.parametrize("fewest", [False, True], ids=["fresh-qubits", "reused-qubits"])
@pytest.mark.parametrize("activation", list(KNOBS))
def test_layerwise_circuits_import(tiny, activation, fewest):
    prog = bnn2q.compile(tiny, "qasm3", activation=activation, strategy="layerwise",
                         max_qubits=activations.get(activation).min_qubits if fewest else None,
                         **KNOBS[activation])
    assert (prog.resources["resets"] > 0) == fewest
    rng = np.random.default_rng(0)
    for k, (text, circuit, layer) in enumerate(zip(prog.qasm_layers, prog.circuits, prog.plan.layers)):
        thetas = rng.uniform(0, math.pi, circuit.n_bits)
        qc, freq = imported_frequencies(text, thetas)
        assert qc.num_clbits == circuit.n_bits and qc.num_parameters == len(circuit.params)
        assert_law(freq, law(activation, thetas, layer.readout == "weak"))


@pytest.mark.parametrize("fewest", [False, True], ids=["fresh-qubits", "fewest-qubits"])
@pytest.mark.parametrize("activation", list(KNOBS))
def test_one_hidden_layer_dynamic_programs_import(activation, fewest):
    net = one_hidden_layer()
    budget = {"rotation": 1, "ancilla-reset": 2, "ancilla": 4}[activation] if fewest else None
    prog = bnn2q.compile(net, "qasm3", activation=activation, strategy="dynamic", max_qubits=budget,
                         **KNOBS[activation])
    thetas = np.random.default_rng(1).uniform(0, math.pi, 3)
    _, freq = imported_frequencies(prog.qasm, thetas)
    assert_law(freq, law(activation, thetas, prog.plan.layers[0].readout == "weak"))
