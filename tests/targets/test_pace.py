"""Long runs show progress and a time estimate from the Python API as from the CLI: a tqdm bar on
stderr, one warning line when the first shots project past the limit, chunks that depend on
the shot count alone (a seed reproduces the counts); and one qubit-budget rule for local
simulators in the API and the CLI."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import TargetError
from bnn2q.ir import Dense
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize
from bnn2q.targets import pace

from .conftest import TINY_INPUT


@pytest.mark.parametrize("shots", [1, 2, 10, 11, 21, 100, 1000, 123457])
def test_shot_chunks_time_one_shot_first_and_stay_few(shots):
    chunks = pace.shot_chunks(shots)
    assert sum(chunks) == shots and chunks[0] == 1 and len(chunks) <= 21
    assert all(c >= 10 for c in chunks[1:]) or shots <= 11


def test_a_nested_pace_moves_the_outer_bar_and_only_the_outer_one_warns(monkeypatch, caplog, capsys):
    monkeypatch.setattr(pace, "WARN_AFTER_S", 0.0)
    with pace.pace(3, "sample", "outer", progress=True) as outer:
        for _ in range(3):
            with outer.step():
                with pace.pace(10, "shot", "inner") as inner:
                    inner.advance(5)
                    assert inner.bar is None
                    inner.advance(5)
        assert outer.done == pytest.approx(3)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bnn2q"]
    assert len(warnings) == 1 and warnings[0].startswith("bnn2q: outer will take about"), warnings
    assert "outer" in capsys.readouterr().err  # the bar, on stderr


def test_braket_run_from_the_api_shows_a_bar_warns_and_reproduces(tiny, monkeypatch, caplog, capsys):
    monkeypatch.setattr(pace, "WARN_AFTER_S", 0.0)
    prog = bnn2q.compile(tiny, target="qasm3", quantumness=0.5, inputs=TINY_INPUT)
    with caplog.at_level(logging.WARNING, logger="bnn2q"):
        first = bnn2q.run(prog, backend="braket-local", shots=60, seed=3, progress=True)
    said = [r.getMessage() for r in caplog.records if r.name == "bnn2q"]
    assert len(said) == 1 and said[0].startswith("bnn2q: braket-local: 60 shots will take about"), said
    assert "bnn2q.simulate" in said[0]
    assert "braket-local: 60 shots" in capsys.readouterr().err
    assert bnn2q.run(prog, backend="braket-local", shots=60, seed=3, progress=False) == first
    assert sum(first.values()) == 60


def test_no_warning_under_the_limit(tiny, caplog):
    prog = bnn2q.compile(tiny, target="qasm3", quantumness=0.5, inputs=TINY_INPUT)
    with caplog.at_level(logging.WARNING, logger="bnn2q"):
        bnn2q.run(prog, backend="braket-local", shots=20, seed=0)
    assert not [r for r in caplog.records if r.name == "bnn2q"]


def test_execute_and_aer_jobs_report_progress(tiny, monkeypatch, caplog, capsys):
    monkeypatch.setattr(pace, "WARN_AFTER_S", 0.0)
    xs = np.array([TINY_INPUT, -TINY_INPUT])
    for backend in ("braket-local", "aer"):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="bnn2q"):
            result = bnn2q.targets.execute(tiny, xs, backend=backend, quantumness=0.5, shots=30, progress=True)
        assert result.logits.shape == (2, 30, 2)
        said = [r.getMessage() for r in caplog.records if r.name == "bnn2q"]
        assert len(said) == 1 and said[0].startswith(f"bnn2q: {backend}: 2 samples × 30 shots"), said
        assert backend in capsys.readouterr().err


def wide_network(width: int = 30):
    """2 inputs → ``width`` → 2 hidden neurons → 2 logits: more qubits than Braket's simulator holds."""
    rng = np.random.default_rng(0)
    w1 = rng.choice([-1, 1], size=(width, 2))
    w2 = rng.choice([-1, 1], size=(2, width))
    return canonicalize(chain((2,), [Layer(Dense("d1", w1), np.ones(width), rng.normal(size=width) * 0.1),
                                     Layer(Dense("d2", w2), [1.0, 1.0], [0.5, -0.5]),
                                     Layer(Dense("out", np.eye(2)))], source="wide"))


def test_one_budget_rule_a_program_compiled_without_one_runs_on_the_fewest_qubits():
    net = wide_network()
    prog = bnn2q.compile(net, target="braket", quantumness=0.5, inputs=TINY_INPUT)
    assert prog.resources["qubits"] == 32  # more than Braket's local simulator holds
    counts = bnn2q.run(prog, backend="braket-local", shots=50, seed=0)
    assert sum(counts.values()) == 50 and all(len(k) == 32 for k in counts)
    explicit = bnn2q.compile(net, target="braket", quantumness=0.5, inputs=TINY_INPUT, max_qubits=30)
    with pytest.raises(TargetError, match="at most 26 qubits"):
        bnn2q.run(explicit, backend="braket-local", shots=5)


@pytest.mark.parametrize("backend", ["braket-local", "quantinuum-local"])
def test_a_samples_outcomes_do_not_depend_on_its_place_in_the_call(tiny, backend):
    """Every sample's shots run in the same chunks, so samples 1..3 run alone (first_sample=1)
    give what they give inside the whole call — what Ray's sample blocks rely on."""
    from bnn2q.targets import execute

    xs = np.random.default_rng(4).uniform(-1, 1, (4, 2))
    settings = dict(backend=backend, quantumness=0.7, shots=25, seed=9)
    whole = execute(tiny, xs, **settings)
    part = execute(tiny, xs[1:], first_sample=1, **settings)
    assert np.array_equal(part.logits, whole.logits[1:])
    for a, b in zip(part.bits, whole.bits):
        assert np.array_equal(a, b[1:])
    assert np.array_equal(pace.sample_chunks(25), [1, 24]) and pace.sample_chunks(1) == [1]
