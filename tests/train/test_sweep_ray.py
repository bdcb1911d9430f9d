"""Sweeps on a real local Ray runtime: the same rows as in this process, a killed worker's cell
retried and recorded once, a cluster joined by address from the command line."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from bnn2q.train.sweep import SweepConfig, run_sweep
from bnn2q.train.sweep.store import read_rows, row_key

pytestmark = pytest.mark.xdist_group("ray")  # one runtime (tests/conftest.py), one pytest worker

ROOT = Path(__file__).resolve().parents[2]
GRID = dict(dataset="digits", architecture="64-8-10", train_sizes=(100,), taus=(0.0, 0.5), seeds=(0, 1),
            epochs=1, shots=5, vote=5, val_size=60)
TIMING = ("train_seconds", "eval_seconds")


def values(csv: Path) -> dict:
    """Each row's results by cell, timings left out (they are the only thing that may differ)."""
    return {row_key(r): {k: v for k, v in r.items() if k not in TIMING} for r in read_rows(csv)}


@pytest.fixture(scope="module")
def inline_rows(tmp_path_factory):
    out = tmp_path_factory.mktemp("inline")
    run_sweep(SweepConfig(**GRID), out, workers=0, progress=False)
    return values(out / "digits-sweep.csv")


def test_a_sweep_on_ray_writes_the_rows_of_workers_0(ray_address, inline_rows, tmp_path):
    outcome = run_sweep(SweepConfig(**GRID), tmp_path, ray_address=ray_address, progress=False)
    assert (outcome.ran, outcome.failed) == (4, [])
    assert values(tmp_path / "digits-sweep.csv") == inline_rows


def _descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _running_cell_workers() -> list[int]:
    """Our runtime's worker processes that are running a sweep cell (Ray titles them so)."""
    out = []
    for pid in _descendants(os.getpid()):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::_ray_task"):
                out.append(pid)
        except OSError:
            continue
    return out


def test_a_worker_killed_mid_cell_is_retried_and_its_cell_recorded_once(ray_address, inline_rows, tmp_path):
    result = {}
    sweep = threading.Thread(target=lambda: result.update(outcome=run_sweep(
        SweepConfig(**GRID), tmp_path, ray_address=ray_address, progress=False)))
    sweep.start()
    deadline = time.monotonic() + 300
    while not _running_cell_workers() and sweep.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    victims = _running_cell_workers()
    assert victims, "no sweep cell ever ran on the Ray workers"
    time.sleep(1.0)  # well inside the cell: TensorFlow's import alone takes longer
    os.kill(victims[0], 9)
    sweep.join(timeout=600)
    assert not sweep.is_alive()
    assert (result["outcome"].ran, result["outcome"].failed) == (4, [])
    keys = [row_key(r) for r in read_rows(tmp_path / "digits-sweep.csv")]
    assert len(keys) == 4 and len(set(keys)) == 4
    assert values(tmp_path / "digits-sweep.csv") == inline_rows  # the retry computed the same rows


def test_the_cli_joins_a_running_cluster_and_ships_the_model_file(ray_address, digits_model_path, tmp_path):
    out = tmp_path / "out"
    argv = ["sweep", str(digits_model_path), "--dataset", "digits", "--train-sizes", "100", "--seeds", "1",
            "--epochs", "1", "--shots", "5", "--vote", "5", "--val-size", "60", "--ray", ray_address,
            "-o", str(out)]
    done = subprocess.run([sys.executable, "-m", "bnn2q.cli", *argv], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = read_rows(out / "digits-sweep.csv")
    assert len(rows) == 1 and rows[0]["architecture"] == str(digits_model_path)
    digest = hashlib.sha256(Path(digits_model_path).read_bytes()).hexdigest()
    shipped = Path(tempfile.gettempdir()) / f"bnn2q-shipped-{os.getuid()}" / digest / Path(digits_model_path).name
    assert shipped.read_bytes() == Path(digits_model_path).read_bytes()
