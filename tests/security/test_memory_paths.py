"""One memory estimate, checked before allocation, on every path that allocates by samples ×
shots — the simulator at every τ, the result's reductions, Aer/IBM bindings and counts, the
sample-by-sample backends — each refusing in the same one-line format."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import InputError
from bnn2q.sim.result import SimResult

from .conftest import one_line_error, run_cli

pytestmark = pytest.mark.xdist_group("larq-models")

#: The one format: what, how much, the budget and where it comes from, the fix.
FORMAT = r"need about [\d.]+ [kMGT]?B.*, more than the 1\.07 GB available \(BNN2Q_MEMORY=1G\); \S"


@pytest.fixture(scope="module")
def digits_net(digits_model_path):
    return bnn2q.load(digits_model_path)


def _traced(fn):
    tracemalloc.start()
    try:
        value = fn()
        return value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_classical_limit_with_300000_shots_allocates_no_shot_axis(digits_net, digits, budget_1g):
    """At τ = 0 every shot is one broadcast outcome: the simulation and every reduction stay
    near the size of one shot (10 GB peak before: (360, 300000, 10) float64 twice)."""
    x, y = digits.x_test, digits.y_test
    sim, peak = _traced(lambda: bnn2q.simulate(digits_net, x, shots=300_000))
    assert peak < 50 << 20
    reductions = (lambda: sim.accuracy(y), lambda: sim.shot_accuracy(y), lambda: sim.vote_accuracy(y, 15))
    values = []
    for reduce in reductions:
        value, peak = _traced(reduce)
        values.append(value)
        assert peak < 10 << 20, f"{peak / 1e6:.0f} MB traced"
    classical = bnn2q.simulate(digits_net, x, shots=1).accuracy(y)
    assert values == [classical] * 3


def test_the_run_command_at_the_classical_limit_fits_a_small_budget(digits_model_path, capsys, budget_1g):
    code, out, err = run_cli(capsys, "run", digits_model_path, "--dataset", "digits", "--shots", "300000", "--json")
    assert code == 0, err
    code, _, err = run_cli(capsys, "run", digits_model_path, "--dataset", "digits", "--shots", "300000",
                           "--quantumness", "0.5")
    one_line_error(code, err, r"360 samples × 300,000 shots " + FORMAT)


def test_reductions_of_sampled_logits_work_in_blocks():
    """Shot accuracy and votes of a materialised result: the same numbers as the direct
    formulas, with a peak far below the samples × shots × classes they used to allocate."""
    rng = np.random.default_rng(0)
    logits = rng.integers(0, 4, size=(120, 4000, 10)).astype(np.float64)  # 38 MB
    y = rng.integers(0, 10, 120)
    r = SimResult(None, logits)
    per_shot = np.argmax(logits, axis=-1)
    k, groups = 15, 4000 // 15
    counts = (per_shot[:, : groups * k].reshape(120, groups, k)[..., None] == np.arange(10)).sum(axis=2)
    votes = np.argmax(counts, axis=-1)
    (shot, vote, v), peak = _traced(lambda: (r.shot_accuracy(y), r.vote_accuracy(y, k), r.votes(k)))
    assert shot == pytest.approx(np.mean(per_shot == y[:, None]), abs=1e-12)
    assert vote == pytest.approx(np.mean(votes == y[:, None]), abs=1e-12)
    np.testing.assert_array_equal(v, votes)
    assert peak < 3 * v.nbytes + (64 << 20)
    np.testing.assert_array_equal(r.predictions, np.argmax(logits.mean(axis=1), axis=-1))


def test_votes_past_the_budget_fail_before_allocating(budget_1g):
    logits = np.broadcast_to(np.zeros((1000, 1, 10)), (1000, 10**9, 10))
    with pytest.raises(InputError, match=r"1,000 samples × 500,000,000 votes of 2 shots " + FORMAT):
        SimResult(None, logits).votes(2)
    assert SimResult(None, logits).vote_accuracy(np.zeros(1000), 10**6) == 1.0


@pytest.mark.parametrize("backend", ["aer", "braket-local"])
def test_compiled_backends_check_their_memory_first(digits_net, digits, budget_1g, backend):
    """bnn2q.run's counts and execute's samples × shots on Aer (IBM's layerwise jobs) and on
    Braket's local simulator: refused in one line before a job is built (10⁸ shots used to end
    in a raw MemoryError)."""
    from bnn2q.targets import execute

    target = "ibm" if backend == "aer" else "qasm3"
    prog = bnn2q.compile(digits_net, target=target, inputs=digits.x_test[0], quantumness=0.5, max_qubits=2)
    with pytest.raises(InputError, match=rf"1 samples × 100,000,000 shots on {backend} " + FORMAT):
        bnn2q.run(prog, backend=backend, shots=10**8)
    with pytest.raises(InputError, match=rf"360 samples × 3,000,000 shots on {backend} " + FORMAT):
        execute(digits_net, digits.x_test, backend=backend, shots=3 * 10**6, quantumness=0.5)
    if backend == "aer":  # counts come from distinct rows (Braket's 96-neuron program takes minutes)
        counts = bnn2q.run(prog, backend=backend, shots=20, seed=1)
        assert sum(counts.values()) == 20 and all(len(k) == digits_net.n_neurons for k in counts)


def test_every_refusal_reads_the_same(digits_net, budget_1g):
    """The simulator's message has the shared format (the others are pinned above and in
    test_onnx_files / test_keras_files)."""
    x = np.zeros((360, 64))
    with pytest.raises(InputError, match=r"360 samples × 10,000,000 shots " + FORMAT):
        bnn2q.simulate(digits_net, x, shots=10**7, quantumness=0.5)
