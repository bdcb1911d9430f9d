"""Target ``quantinuum``: the pytket lowering, H2's offline compilation and checks on every
program, and PECOS (Quantinuum's local emulator) against the built-in simulator."""

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import TargetError
from bnn2q.targets.run import sample_bits

from .conftest import TINY_INPUT
from .stats import assert_same_frequencies

ROTATION = dict(activation="rotation", quantumness=1.0)
RESET = dict(activation="ancilla-reset", quantumness=0.5, g=1.0)
ANCILLA = dict(activation="ancilla", quantumness=0.5, g=1.0)


def test_sums_are_offset_registers_and_comparisons_set_a_cleared_flag(tiny):
    prog = bnn2q.compile(tiny, "quantinuum", quantumness=0.0, inputs=TINY_INPUT, max_qubits=2)
    program = prog.native[0]
    sizes = {r.name: r.size for r in program.circuit.c_registers}
    # one 1-bit register per outcome; each z = ±1 ± 1 ± 1 ∈ [−3, 3]: offset 3, 4 bits (top bit clear)
    assert [sizes[f"m_{j}"] for j in range(5)] == [1] * 5
    assert program.offsets == {"z_0": 3, "z_1": 3} and program.widths == {"z_0": 4, "z_1": 4}
    kinds = [cmd.op.type.name for cmd in program.circuit.get_commands()]
    assert kinds.count("ClExpr") == 2 and kinds.count("RangePredicate") == 2 and kinds.count("SetBits") == 2
    h2 = prog.resources["h2"]
    assert h2["conditionals"] == 2 and h2["by_type"]["if PhasedX"] == 2
    assert set(h2["checks_s"]) == {"valid_circuit H2-1", "valid_circuit H2-1LE", "QIR + qircheck"}


@pytest.mark.parametrize("options", [
    dict(quantumness=0.5, inputs=TINY_INPUT, max_qubits=1),
    dict(quantumness=0.5),  # inputs bound per sample: checked with placeholder angles
    dict(quantumness=0.5, tolerance=0.05, inputs=TINY_INPUT),
    dict(activation="ancilla-reset", quantumness=0.3, g=1.0, max_qubits=3),
    dict(activation="ancilla", quantumness=0.3, g=1.0, max_qubits=4),
], ids=["rotation", "unbound", "pruned", "ancilla-reset", "ancilla"])
def test_h2_offline_compilation_accepts_the_program(tiny, options):
    prog = bnn2q.compile(tiny, "quantinuum", **options)
    h2 = prog.resources["h2"]
    assert len(h2["checks_s"]) == 3 and h2["conditionals"] >= prog.resources["conditionals"]
    assert h2["known_limits"]["qubits"] == 56 and "conditional operations per job" in h2["undocumented_limits"]
    if "ancilla" in options.get("activation", ""):
        # tket fuses each CX · R_y(g) · CX into one ZZPhase
        assert h2["two_qubit_gates"] == prog.resources["two_qubit_gates"] // 2


@pytest.mark.parametrize("knobs,budget", [(ROTATION, 3), (RESET, 3)], ids=["rotation", "ancilla-reset"])
def test_digits_sample_on_pecos_matches_simulate_with_qubit_reuse(small_net, digits, knobs, budget):
    x = digits.x_test[3]
    prog = bnn2q.compile(small_net, target="quantinuum", max_qubits=budget, inputs=x, **knobs)
    assert prog.resources["qubits"] <= budget and prog.resources["resets"] > 0
    bits = sample_bits(prog, "quantinuum-local", 3000, seed=11)
    ref = bnn2q.simulate(small_net, x, shots=200_000, seed=7, **knobs)
    assert_same_frequencies(bits, np.concatenate([b[0] for b in ref.bits], axis=1), f"PECOS {knobs}")


def test_pecos_is_reproducible_and_binds_inputs_per_sample(tiny):
    prog = bnn2q.compile(tiny, "quantinuum", max_qubits=2, **ROTATION)
    a = bnn2q.run(prog, backend="quantinuum-local", shots=200, seed=4, inputs=TINY_INPUT)
    assert a == bnn2q.run(prog, backend="quantinuum-local", shots=200, seed=4, inputs=TINY_INPUT)
    baked = bnn2q.compile(tiny, "quantinuum", max_qubits=2, inputs=TINY_INPUT, **ROTATION)
    assert_same_frequencies(sample_bits(prog, "quantinuum-local", 3000, seed=1, inputs=TINY_INPUT),
                            sample_bits(baked, "quantinuum-local", 3000, seed=2), "bound vs baked")


def test_requests_h2_cannot_meet(tiny):
    with pytest.raises(TargetError, match=r"target 'quantinuum' \(H2\) has 56 qubits; pass max_qubits <= 56"):
        bnn2q.compile(tiny, "quantinuum", max_qubits=60)
    with pytest.raises(TargetError, match=r"target 'quantinuum' supports strategies dynamic, not 'layerwise'"):
        bnn2q.compile(tiny, "quantinuum", strategy="layerwise")
    from bnn2q.targets.quantinuum import pecos_local

    prog = bnn2q.compile(tiny, "quantinuum", inputs=TINY_INPUT)
    with pytest.raises(TargetError, match=r"holds at most 24 qubits, the program uses 30; recompile with max_qubits <= 24"):
        pecos_local.sample(type("C", (), {"n_qubits": 30})(), [], 1, 0)
    with pytest.raises(TargetError, match=r"backend 'aer' does not run programs for target 'quantinuum'; compile with target='ibm'"):
        bnn2q.run(prog, backend="aer", shots=1)
    qasm = bnn2q.compile(tiny, "qasm3", inputs=TINY_INPUT)
    with pytest.raises(TargetError, match=r"backend 'quantinuum-local' does not run programs for target 'qasm3'; "
                                          r"compile with target='quantinuum'"):
        bnn2q.run(qasm, backend="quantinuum-local", shots=1)


def test_feed_forward_it_cannot_express_names_the_targets_that_can():
    from tests.sim.nets import pooled_net

    with pytest.raises(TargetError, match=r"max-pool 'or' .* compile for a target with strategy 'layerwise' "
                                          r"\(qasm3, braket, ibm\)"):
        bnn2q.compile(pooled_net(), "quantinuum")


def test_carried_neurons_wider_than_h2():
    from bench.networks import random_network

    with pytest.raises(TargetError, match=r"target 'quantinuum' has 56 qubits but the ancilla activation's carried "
                                          r"neurons need 61 \(the widest layer's 60 \+ one ancilla\)"):
        bnn2q.compile(random_network((4, 60, 3, 2)), "quantinuum", activation="ancilla")
    assert bnn2q.compile(random_network((4, 60, 3, 2)), "helios", activation="ancilla").resources["qubits"] <= 98
