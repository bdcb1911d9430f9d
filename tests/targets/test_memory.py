"""The paper's network compiled: neuron qubits that carry their state, three hidden layers, on
Braket's local simulator and Quantinuum's local emulator (PECOS) (one dynamic program on widest
+ 1 qubits) and on Aer (IBM's layerwise circuits, the host re-preparing each carried state). Both match the built-in simulator on every
bit's frequency and on the joint frequencies of consecutive layers; the memoryless reduction
does not, and the same comparison says so."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.ir import Dense
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize
from bnn2q.targets.run import sample_bits

from .stats import mismatches

KNOBS = dict(quantumness=0.5, g=0.3)


def three_hidden_layers():
    rng = np.random.default_rng(0)
    sizes = (4, 3, 3, 3, 2)
    layers = [Layer(Dense(f"d{k}", rng.normal(0, 1, (b, a)))) for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
    return canonicalize(chain((4,), layers, source="paper-3")), rng.uniform(-1, 1, 4)


def reference(net, x, activation):
    sim = bnn2q.simulate(net, x, activation=activation, shots=200_000, seed=9, **KNOBS)
    return np.concatenate([b[0] for b in sim.bits], axis=1)


@pytest.fixture(scope="module")
def paper_net():
    return three_hidden_layers()


@pytest.mark.parametrize("target,backend,shots", [("braket", "braket-local", 1500), ("ibm", "aer", 3000),
                                                  ("quantinuum", "quantinuum-local", 3000)])
def test_compiled_memory_matches_and_the_reset_reduction_does_not(paper_net, target, backend, shots):
    net, x = paper_net
    carried, reset = reference(net, x, "ancilla"), reference(net, x, "ancilla-reset")
    budget = None if target == "ibm" else 4  # widest layer (3) + one ancilla
    prog = bnn2q.compile(net, target=target, activation="ancilla", inputs=x, max_qubits=budget, **KNOBS)
    if budget:
        assert prog.strategy == "dynamic" and prog.resources["qubits"] == 4 and prog.resources["conditionals"] >= 6
    bits = sample_bits(prog, backend, shots, seed=3)
    assert mismatches(bits, carried, prog.layout) == []
    assert mismatches(bits, reset, prog.layout), "the test must tell memory from its reduction"
    prog_reset = bnn2q.compile(net, target=target, activation="ancilla-reset", inputs=x, max_qubits=budget, **KNOBS)
    bits_reset = sample_bits(prog_reset, backend, shots, seed=4)
    assert mismatches(bits_reset, reset, prog.layout) == []
    assert mismatches(bits_reset, carried, prog.layout)
