"""Classical work between measurements on each target (SPEC §1): ``auto`` picks a strategy that
runs; a ReLU between signs compiles dynamic for Braket's local simulator (integer sums, clamps
and a chain over them) and matches the simulator; a hard-tanh clip before a sign is part of its
level chain; H2 refuses a ReLU between signs in one line naming the targets that run it; Helios
computes every step at run time (Selene, where the Helios environment is installed); steps
that feed only the classifier are the host's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import TargetError
from bnn2q.ir import INPUT, Conv2D, Dense, Elementwise, Graph, MaxPool2D, Multiply, Node, Reshape, Sign
from bnn2q.ir.controller import IntegerAux
from bnn2q.passes import canonicalize
from bnn2q.targets.helios import env as helios_env
from bnn2q.targets.run import sample_bits
from tests.sim.classical_nets import relu_mlp
from tests.sim.nets import pm1

from .stats import assert_same_frequencies

EXPORTS = Path(__file__).parents[1] / "frontends" / "exports"
RELU_MLP = EXPORTS / "torch_mlp_relu_between_signs.ts.onnx"


def _reference_bits(net, x, shots, seed=3, **knobs):
    sim = bnn2q.simulate(net, x, shots=shots, seed=seed, **knobs)
    return np.concatenate([b[0] for b in sim.bits], axis=1)


@pytest.fixture(scope="module")
def relu_export():
    ref = np.load(EXPORTS / "torch_mlp_relu_between_signs.npz")
    return bnn2q.load(RELU_MLP), ref["x"]


def test_relu_between_signs_runs_dynamic_on_braket_local_at_the_classical_limit(relu_export):
    net, xs = relu_export
    for x in xs[:3]:
        prog = bnn2q.compile(net, "braket", inputs=x, max_qubits=2)
        assert prog.strategy == "dynamic" and "if (a0 < 0) {" in prog.qasm
        assert all(isinstance(a, IntegerAux) and a.kind == "clamp" and a.low == 0 for a in prog.plan.aux)
        assert prog.resources["max_preactivation_error"] < 1e-6  # real weights in 64-bit fixed point
        bits = sample_bits(prog, "braket-local", 4, seed=1)
        want = _reference_bits(net, x, 1)
        assert (bits == want).all()


def test_relu_between_signs_on_braket_local_has_the_simulators_statistics(relu_export):
    """τ = 0.5 with ε = 0.05 (Braket's local simulator takes about a second per shot of 300
    conditionals on this machine): per-bit frequencies within 4.5 binomial standard errors plus
    the compiled program's bound on |ΔP|."""
    net, xs = relu_export
    knobs = dict(quantumness=0.5)
    prog = bnn2q.compile(net, "braket", inputs=xs[4], max_qubits=2, tolerance=0.05, **knobs)
    bound = prog.resources["max_probability_error"]
    assert prog.strategy == "dynamic" and bound <= 0.0251
    shots = 300
    bits = sample_bits(prog, "braket-local", shots, seed=2)
    f, g = bits.mean(axis=0), _reference_bits(net, xs[4], 200_000, **knobs).mean(axis=0)
    assert np.all(np.abs(f - g) <= 4.5 * np.sqrt(g * (1 - g) / shots) + bound + 1 / shots), (f.round(3), g.round(3))
    assert 0.1 < g[12:].mean() < 0.9 and np.ptp(g[12:]) > 0.2  # the deeper layer is random here


def test_a_clip_before_the_sign_joins_the_chain_and_h2_runs_it():
    path = EXPORTS / "torch_mlp_htanh_ste_pm1.dynamo.onnx"
    x = np.load(EXPORTS / "torch_mlp_htanh_ste_pm1.npz")["x"][0]
    for target in ("qasm3", "quantinuum"):
        prog = bnn2q.compile(path, target, inputs=x)
        assert prog.strategy == "dynamic" and not prog.plan.aux
        assert prog.resources["max_probability_error"] == 0.0


def test_h2_refuses_a_relu_between_signs_naming_who_runs_it(relu_export):
    net, xs = relu_export
    with pytest.raises(TargetError, match=r"^target 'quantinuum' cannot compute the relu '/Relu' of values fed by "
                                          r"measured bits: .* compile for target 'qasm3' or 'braket' \(strategy "
                                          r"'dynamic'\) or 'helios'") as info:
        bnn2q.compile(net, "quantinuum", inputs=xs[0])
    assert "\n" not in str(info.value)


def _tanh_gate_net():
    """A sign, then a tanh of a ±1 dense layer and a product with a gate, then a sign: real
    arithmetic between measurements."""
    rng = np.random.default_rng(4)
    nodes = [Node(Dense("d0", rng.normal(size=(5, 4))), (INPUT,), "z0"), Node(Sign("s0"), ("z0",), "y0"),
             Node(Dense("d1", pm1(rng, (3, 5))), ("y0",), "z1"), Node(Elementwise("t1", "tanh"), ("z1",), "h1"),
             Node(Dense("g1", rng.normal(size=(3, 5))), ("y0",), "zg"), Node(Multiply("gate"), ("h1", "zg"), "u1"),
             Node(Sign("s1"), ("u1",), "y1"), Node(Dense("out", rng.normal(size=(2, 3))), ("y1",), "logits")]
    return canonicalize(Graph((4,), tuple(nodes), "logits", "tanh-gate"))


def test_auto_picks_layerwise_where_integer_feed_forward_cannot_compute_a_step():
    net = _tanh_gate_net()
    assert bnn2q.compile(net, "qasm3").strategy == "layerwise"
    with pytest.raises(TargetError, match=r"strategy 'dynamic' on target 'qasm3' cannot compute the tanh 't1' "
                                          r"between measurements: .* use strategy='layerwise', or target 'helios'"):
        bnn2q.compile(net, "qasm3", strategy="dynamic")
    with pytest.raises(TargetError, match=r"target 'quantinuum' cannot compute the tanh 't1' .* compile for a "
                                          r"target with strategy 'layerwise' \(qasm3, braket, ibm\)"):
        bnn2q.compile(net, "quantinuum")
    prog = bnn2q.compile(net, "helios", quantumness=0.5, inputs=np.ones(4))
    assert prog.strategy == "dynamic" and "aux[xi1[t]] = unit_fn(acc" in prog.native[0].source


def test_steps_feeding_only_the_classifier_are_host_work():
    """A max-pool of the last bits and a ReLU before the logits (the issue's failing cases)."""
    rng = np.random.default_rng(5)
    nodes = [Node(Conv2D("c0", rng.normal(size=(3, 3, 1, 2)), (4, 4, 1), padding=(1, 1, 1, 1)), (INPUT,), "z0"),
             Node(Sign("s0"), ("z0",), "y0"),
             Node(Conv2D("c1", pm1(rng, (3, 3, 2, 2)), (4, 4, 2), padding=(1, 1, 1, 1)), ("y0",), "z1"),
             Node(Sign("s1"), ("z1",), "y1"),
             Node(MaxPool2D("or", (4, 4, 2), (2, 2), (2, 2)), ("y1",), "p"),
             Node(Reshape("flat", (8,)), ("p",), "f"), Node(Elementwise("relu", "relu"), ("f",), "r"),
             Node(Dense("out", rng.normal(size=(3, 8))), ("r",), "logits")]
    net = canonicalize(Graph((4, 4, 1), tuple(nodes), "logits", "head"))
    for target in ("qasm3", "quantinuum", "helios"):
        assert bnn2q.compile(net, target).strategy == "dynamic", target


@pytest.mark.skipif(helios_env.python() is None, reason="the Helios environment is not installed (make helios)")
def test_selene_computes_relu_clip_and_quantized_input_at_run_time():
    net = relu_mlp()
    x = np.random.default_rng(6).uniform(-1, 1, 8)
    classical = bnn2q.compile(net, "helios", inputs=x, max_qubits=2)
    quantum = bnn2q.compile(net, "helios", inputs=x, max_qubits=2, quantumness=0.7)
    assert classical.plan.aux and "unit_fn" in classical.native[0].source
    exact, noisy = helios_env.sample_many([(classical, None, 4, 0), (quantum, None, 3000, 5)])
    assert (exact == _reference_bits(net, x, 1)).all()
    assert_same_frequencies(noisy, _reference_bits(net, x, 200_000, quantumness=0.7), "Selene, ReLU MLP")
