"""An evaluation split across Ray tasks by sample blocks equals the local one bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pytest

import bnn2q
from bnn2q.cli import run as cli_run
from bnn2q.errors import InputError
from bnn2q.targets import execute
from bnn2q.targets.ray_blocks import simulate_on_ray

pytestmark = pytest.mark.xdist_group("ray")  # one runtime (tests/conftest.py), one pytest worker


def same(a, b):
    assert np.array_equal(a.logits, b.logits)
    assert len(a.bits) == len(b.bits) and all(np.array_equal(p, q) for p, q in zip(a.bits, b.bits))


@pytest.fixture(scope="module")
def two_thousand(digits_all, tmp_path_factory):
    """2,000 digits-shaped samples (the 1,797 digits and 203 again) as an .npz dataset."""
    x, y = digits_all
    x, y = np.concatenate([x, x[:203]]), np.concatenate([y, y[:203]])
    path = tmp_path_factory.mktemp("data") / "digits2000.npz"
    np.savez(path, x_train=x[:10], y_train=y[:10], x_test=x, y_test=y)
    return path, x


def test_run_on_ray_equals_the_local_run(ray_address, digits_model_path, two_thousand, capsys):
    path, x = two_thousand
    argv = ["run", str(digits_model_path), "--dataset", str(path), "--samples", "2000", "--shots", "15",
            "--activation", "ancilla", "--g", "0.6", "--quantumness", "0.3", "--seed", "5", "--json"]
    reports = []
    for extra in ([], ["--ray", ray_address, "--block", "300"]):
        assert cli_run(argv + extra) == 0
        reports.append({k: v for k, v in json.loads(capsys.readouterr().out).items() if k != "seconds"})
    assert reports[0] == reports[1] and reports[0]["samples"] == 2000
    # The same run's arrays, bit for bit: 7 blocks of 300 (the last 200) on 2 workers.
    net = bnn2q.load(digits_model_path)
    settings = dict(activation="ancilla", g=0.6, quantumness=0.3, shots=15, seed=5)
    same(simulate_on_ray(ray_address, net, x, block=300, **settings), bnn2q.simulate(net, x, **settings))


def test_execute_on_ray_equals_execute_here(ray_address, digits_model, digits):
    x = digits.x_test[:8]
    settings = dict(backend="braket-local", activation="rotation", quantumness=0.5, shots=15, seed=3)
    same(execute(digits_model, x, ray=ray_address, block=3, **settings), execute(digits_model, x, **settings))


def test_a_backend_that_cannot_be_split_is_one_line(ray_address, digits_model, digits):
    with pytest.raises(InputError, match="ray= splits the backends that run sample by sample"):
        execute(digits_model, digits.x_test[:2], backend="aer", ray=ray_address)
