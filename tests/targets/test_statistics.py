"""Compiled programs sampled by Braket's local simulator and by qiskit-aer match the built-in
simulator neuron by neuron (SPEC §4: the statistics of §2, for every qubit budget)."""

import numpy as np
import pytest

import bnn2q
from bnn2q.targets.run import sample_bits

from .conftest import TINY_INPUT
from .stats import assert_same_frequencies

ROTATION = dict(activation="rotation", quantumness=1.0)
ANCILLA = dict(activation="ancilla", quantumness=0.5, g=1.0)
RESET = dict(activation="ancilla-reset", quantumness=0.5, g=1.0)
BACKENDS = [("braket", "braket-local", 1500), ("ibm", "aer", 4000)]


def reference_bits(net, x, shots=200_000, **knobs):
    sim = bnn2q.simulate(net, x, shots=shots, seed=7, **knobs)
    return np.concatenate([b[0] for b in sim.bits], axis=1)


@pytest.mark.parametrize("knobs,budget", [(ROTATION, 3), (RESET, 3), (ANCILLA, 7)],
                         ids=["rotation", "ancilla-reset", "ancilla"])
@pytest.mark.parametrize("target,backend,shots", BACKENDS, ids=["braket-local", "aer"])
def test_digits_sample_matches_simulate_with_qubit_reuse(small_net, digits, knobs, budget, target, backend, shots):
    x = digits.x_test[3]
    prog = bnn2q.compile(small_net, target=target, max_qubits=budget, inputs=x, **knobs)
    assert prog.resources["qubits"] <= budget and prog.resources["resets"] > 0  # qubits are reused
    bits = sample_bits(prog, backend, shots, seed=11)
    assert bits.shape == (shots, small_net.n_neurons)
    assert_same_frequencies(bits, reference_bits(small_net, x, **knobs), f"{backend} {knobs}")


def test_run_returns_counts_of_register_m(tiny):
    prog = bnn2q.compile(tiny, "braket", quantumness=0.0, inputs=TINY_INPUT, max_qubits=1)
    counts = bnn2q.run(prog, backend="braket-local", shots=50, seed=0)
    # Classical: one outcome; m[0] leftmost. d1 fires [1, 1, 0]; d2 reads them.
    expected = "".join(str(int(b)) for b in bnn2q.simulate(tiny, TINY_INPUT, shots=1).bits[0][0, 0])
    assert len(counts) == 1 and next(iter(counts)).startswith(expected) and sum(counts.values()) == 50


@pytest.mark.parametrize("max_qubits", [1, 2, 3, 4, 5, None])
def test_rotation_statistics_do_not_depend_on_the_budget(tiny, max_qubits):
    prog = bnn2q.compile(tiny, "braket", inputs=TINY_INPUT, max_qubits=max_qubits, **ROTATION)
    bits = sample_bits(prog, "braket-local", 4000, seed=3)
    assert_same_frequencies(bits, reference_bits(tiny, TINY_INPUT, **ROTATION), f"max_qubits={max_qubits}")


@pytest.mark.parametrize("max_qubits", [2, 3, 4, 6, 8, 10, None])
def test_ancilla_reset_statistics_do_not_depend_on_the_budget(tiny, max_qubits):
    ref = reference_bits(tiny, TINY_INPUT, **RESET)
    prog = bnn2q.compile(tiny, "ibm", inputs=TINY_INPUT, max_qubits=max_qubits, **RESET)
    assert_same_frequencies(sample_bits(prog, "aer", 4000, seed=5), ref, f"aer max_qubits={max_qubits}")
    if max_qubits in (2, 6, None):
        prog = bnn2q.compile(tiny, "braket", inputs=TINY_INPUT, max_qubits=max_qubits, **RESET)
        assert_same_frequencies(sample_bits(prog, "braket-local", 4000, seed=5), ref,
                                f"braket max_qubits={max_qubits}")


@pytest.mark.parametrize("max_qubits", [4, 5, None])
def test_carried_ancilla_statistics_do_not_depend_on_the_budget(tiny, max_qubits):
    ref = reference_bits(tiny, TINY_INPUT, **ANCILLA)
    prog = bnn2q.compile(tiny, "braket", inputs=TINY_INPUT, max_qubits=max_qubits, **ANCILLA)
    assert_same_frequencies(sample_bits(prog, "braket-local", 4000, seed=5), ref, f"braket max_qubits={max_qubits}")


@pytest.mark.parametrize("strategy", ["dynamic", "layerwise"])
def test_inputs_bound_at_run_time_equal_inputs_baked_in(tiny, strategy):
    bound = bnn2q.compile(tiny, "braket", strategy=strategy, max_qubits=2, **ROTATION)
    baked = bnn2q.compile(tiny, "braket", strategy=strategy, max_qubits=2, inputs=TINY_INPUT, **ROTATION)
    a = sample_bits(bound, "braket-local", 3000, seed=1, inputs=TINY_INPUT)
    b = sample_bits(baked, "braket-local", 3000, seed=2)
    assert_same_frequencies(a, b, f"{strategy}: bound vs baked")
