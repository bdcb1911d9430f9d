"""Sweeps: resumable CSV (interrupt, rerun, only missing cells), executors, plots, g_c."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bnn2q.cli import run as cli_run
from bnn2q.errors import InputError
from bnn2q.train.sweep import SweepConfig, run_sweep
from bnn2q.train.sweep import cell as cell_module
from bnn2q.train.sweep.cell import CELL_FIELDS
from bnn2q.train.sweep.stats import Point, critical_g
from bnn2q.train.sweep.store import read_rows, row_key

ROOT = Path(__file__).resolve().parents[2]
TINY = dict(architecture="64-8-10", epochs=1, shots=5, vote=5, val_size=60, seeds=(0, 1))


def fake_row(cell, error=0.5):
    return {**dict(zip(CELL_FIELDS, cell.key())), "val_error": f"{error:.6f}", "val_vote_error": f"{error:.6f}",
            "val_shot_error": f"{error:.6f}", "train_loss": "1.0", "train_seconds": "0.0",
            "eval_seconds": "0.0"}


class Recorder:
    """Stands in for run_cell: records the cells it is asked for; may interrupt at call k."""

    def __init__(self, interrupt_at=None):
        self.cells, self.interrupt_at = [], interrupt_at

    def __call__(self, cell):
        if self.interrupt_at is not None and len(self.cells) == self.interrupt_at:
            raise KeyboardInterrupt
        self.cells.append(cell)
        return fake_row(cell, error=0.1 + 0.01 * len(self.cells))


def grid(**extra):
    knobs = dict(dataset="digits", train_sizes=(50, 100), taus=(0.0, 0.3, 1.0), **TINY)
    knobs.update(extra)
    return SweepConfig(**knobs)


def test_interrupted_sweep_reruns_only_the_missing_cells(tmp_path, monkeypatch):
    config = grid()
    first = Recorder(interrupt_at=5)
    monkeypatch.setattr(cell_module, "run_cell", first)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(config, tmp_path, workers=0, progress=False)
    csv = tmp_path / "digits-sweep.csv"
    assert len(read_rows(csv)) == 5
    assert [p.name for p in tmp_path.iterdir()] == [csv.name]  # no temporary files left

    second = Recorder()
    monkeypatch.setattr(cell_module, "run_cell", second)
    outcome = run_sweep(config, tmp_path, workers=0, progress=False)
    assert (outcome.total, outcome.already_done, outcome.ran) == (12, 5, 7)
    assert {c.key() for c in second.cells}.isdisjoint({c.key() for c in first.cells})
    keys = [row_key(r) for r in read_rows(csv)]
    assert sorted(keys) == sorted(c.key() for c in config.cells())  # each cell exactly once

    third = Recorder()
    monkeypatch.setattr(cell_module, "run_cell", third)
    assert run_sweep(config, tmp_path, workers=0, progress=False).ran == 0 and third.cells == []


def test_changed_settings_are_new_cells(tmp_path, monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(cell_module, "run_cell", rec)
    run_sweep(grid(), tmp_path, workers=0, progress=False)
    outcome = run_sweep(grid(epochs=2), tmp_path, workers=0, progress=False)
    assert outcome.already_done == 0 and outcome.ran == 12


def test_a_failing_cell_is_reported_and_retried(tmp_path, monkeypatch, capsys):
    def flaky(cell):
        if cell.quantumness == 1.0:
            raise ValueError("boom")
        return fake_row(cell)

    monkeypatch.setattr(cell_module, "run_cell", flaky)
    outcome = run_sweep(grid(), tmp_path, workers=0, progress=False)
    assert outcome.ran == 8 and len(outcome.failed) == 4 and "boom" in outcome.failed[0][1]
    monkeypatch.setattr(cell_module, "run_cell", Recorder())
    assert run_sweep(grid(), tmp_path, workers=0, progress=False).ran == 4


def test_critical_g_is_the_midpoint_crossing():
    chance = 0.9
    errors = {1.5: 0.10, 1.0: 0.11, 0.6: 0.15, 0.4: 0.40, 0.2: 0.85, 0.05: 0.9}
    points = [Point(g, e, 0.0, 3) for g, e in errors.items()]
    # midpoint (0.10 + 0.9)/2 = 0.5 lies between g = 0.4 (0.40) and g = 0.2 (0.85)
    assert critical_g(points, 10) == pytest.approx(0.4 - 0.2 * (0.5 - 0.40) / (0.85 - 0.40))
    flat = [Point(g, 0.1, 0.0, 3) for g in errors]
    assert critical_g(flat, 10) is None and chance == 1 - 1 / 10


def test_interrupting_the_cli_then_rerunning(tmp_path):
    """A real `bnn2q sweep` process gets SIGINT after its first row; the rerun finishes the rest."""
    out = tmp_path / "sweep"
    argv = ["sweep", "64-8-10", "--dataset", "digits", "--quantumness", "0,0.5", "--train-sizes",
            "80", "--seeds", "2", "--epochs", "1", "--shots", "5", "--vote", "5", "--val-size", "60",
            "--workers", "0", "-o", str(out)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.Popen([sys.executable, "-m", "bnn2q.cli", *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    csv = out / "digits-sweep.csv"
    deadline = time.monotonic() + 150
    while not (csv.exists() and read_rows(csv)) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    done = len(read_rows(csv))
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in err and 1 <= done < 4

    real = cell_module.run_cell
    ran = []
    try:
        cell_module.run_cell = lambda cell: ran.append(cell) or real(cell)
        assert cli_run(argv) == 0
    finally:
        cell_module.run_cell = real
    assert len(ran) == 4 - done
    assert len(read_rows(csv)) == 4
    assert (out / "digits-error-vs-quantumness.png").stat().st_size > 0


@pytest.mark.parametrize("dataset, architecture", [("digits", "64-8-10"), ("fashion-mnist", "784-8-10")])
def test_sweep_writes_csv_plots_and_summary(dataset, architecture, tmp_path, request):
    if dataset == "fashion-mnist":
        request.getfixturevalue("fashion")  # skips when the dataset is not installed
    common = dict(dataset=dataset, architecture=architecture, train_sizes=(120,), epochs=1,
                  shots=5, vote=3, val_size=60, seeds=(0,))
    workers = 2 if dataset == "digits" else 0  # one run through the local process pool
    run_sweep(SweepConfig(taus=(0.0, 0.5), **common), tmp_path, workers=workers, progress=False)
    outcome = run_sweep(SweepConfig(activations=("ancilla", "ancilla-reset"), gs=(0.05, math.pi / 2), **common),
                        tmp_path, workers=0, progress=False)
    stem = "digits" if dataset == "digits" else "fashion-mnist"
    rows = read_rows(tmp_path / f"{stem}-sweep.csv")
    assert len(rows) == 6 and {r["activation"] for r in rows} == {"rotation", "ancilla", "ancilla-reset"}
    assert all(0.0 <= float(r[c]) <= 1.0 for r in rows for c in ("val_error", "val_vote_error", "val_shot_error"))
    for name in (f"{stem}-error-vs-quantumness.png", f"{stem}-error-vs-g.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    summary = outcome.summary.read_text()
    assert "| g_c |" in summary and "τ = 0.5" in summary


def test_the_papers_recipe_end_to_end(tmp_path):
    """Real-weight MLP, htanh and expected gradients, SGD, the knob in the paper's units, the
    paper's ancilla network and its memoryless reduction on one grid."""
    argv = ["sweep", "64-16-16-10", "--dataset", "digits", "--family", "paper", "--optimizer", "sgd",
            "--gradient", "htanh,expected", "--a", "0,1", "--train-sizes", "200", "--seeds", "2",
            "--epochs", "1", "--shots", "6", "--vote", "3", "--val-size", "40", "--workers", "0",
            "-o", str(tmp_path)]
    assert cli_run(argv) == 0
    rows = read_rows(tmp_path / "digits-sweep.csv")
    assert {(r["gradient"], r["quantumness"]) for r in rows} == {("htanh", "0"), ("htanh", "0.5"),
                                                                ("expected", "0"), ("expected", "0.5")}
    assert all(r["family"] == "paper" and r["optimizer"] == "sgd" and r["lr"] == "0.01" for r in rows)
    summary = (tmp_path / "digits-summary.md").read_text()
    assert "a = 1" in summary and "majority vote" in summary and "single shot" in summary
    argv_g = ["sweep", "64-16-16-10", "--dataset", "digits", "--family", "paper", "--activation",
              "ancilla,ancilla-reset", "--g", "0.2,1.0", "--train-sizes", "200", "--seeds", "2", "--epochs", "1",
              "--shots", "6", "--vote", "3", "--val-size", "40", "--workers", "0", "--optimizer", "sgd", "-o", str(tmp_path)]
    assert cli_run(argv_g) == 0
    rows = read_rows(tmp_path / "digits-sweep.csv")
    assert {r["activation"] for r in rows} == {"rotation", "ancilla", "ancilla-reset"}
    assert (tmp_path / "digits-error-vs-g.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv, message", [
    (["784-64-10", "--dataset", "digits"], "digits has 64 inputs and 10 classes"),
    (["64-64-10", "--dataset", "digits", "--quantumness", "0,x"], "comma-separated list"),
    (["64-64-10", "--dataset", "digits", "--activation", "ancilla", "--g", "3"], "g must lie in"),
    (["64-64-10", "--dataset", "digits", "--activation", "rotation,sigmoid"], "unknown activation 'sigmoid'"),
    (["64-64-10", "--dataset", "digits", "--gradient", "ste"], "unknown surrogate gradient 'ste'"),
    (["64-64-10", "--dataset", "digits", "--shots", "10"], "a 15-shot vote needs --shots >= 15"),
    (["64-64-10", "--dataset", "digits", "--a", "0,-1"], "the paper's stretch a must be >= 0"),
    (["64-64-10", "--dataset", "digits", "--train-sizes", "5000"], "exceeds the 1437"),
    (["no_such.h5", "--dataset", "digits"], "not found"),
])
def test_cli_sweep_bad_input_is_one_line(argv, message, tmp_path, capsys):
    assert cli_run(["sweep", *argv, "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("bnn2q: error:") and message in err and "\n" not in err
    assert not (tmp_path / "out").exists()  # nothing created for refused arguments


def test_transition_fit_recovers_a_known_collapse():
    """Synthetic seeds around e(g) = 0.15 + (0.7 − 0.15) σ((ln 0.1 − ln g)/0.3)."""
    import numpy as np

    from bnn2q.train.sweep.stats import transition, width_difference

    rng = np.random.default_rng(0)
    gs = [0.01, 0.02, 0.04, 0.07, 0.1, 0.14, 0.2, 0.4, 0.8, 1.57]

    def rows(width, high, seed_offset=0):
        out = []
        for seed in range(5):
            for g in gs:
                e = 0.15 + (high - 0.15) / (1 + np.exp(-(np.log(0.1) - np.log(g)) / width)) + rng.normal(0, 0.01)
                out.append({"seed": str(seed), "g": str(g), "val_error": f"{e:.6f}"})
        return out

    sharp, wide = rows(0.3, 0.7), rows(0.6, 0.88)
    fit = transition(sharp, 10)
    assert fit.g_mid_interval[0] < 0.1 < fit.g_mid_interval[1] and fit.width_interval[0] < 0.3 < fit.width_interval[1]
    assert fit.high_interval[0] < 0.7 < fit.high_interval[1]
    diff, (lo, hi), n = width_difference(sharp, wide, 10)
    assert n == 5 and lo < -0.3 < hi and hi < 0
