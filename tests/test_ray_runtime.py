"""Joining Ray: the addresses' meaning, and one line (nothing created) when there is no cluster or
no Ray. The runtime itself is exercised by tests/train/test_sweep_ray.py and tests/targets."""

from __future__ import annotations

import sys

import pytest

from bnn2q.cli import run as cli_run
from bnn2q.errors import InputError

SWEEP = ["sweep", "64-8-10", "--dataset", "digits", "--train-sizes", "100", "--seeds", "1", "--epochs", "1",
         "--shots", "5", "--vote", "5"]


@pytest.fixture
def no_cluster(tmp_path, monkeypatch):
    """No RAY_ADDRESS and an empty Ray temp folder: 'auto' has nothing to join."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        pytest.skip("this process already joined a Ray runtime")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setenv("RAY_TMPDIR", str(tmp_path / "ray-tmp"))
    (tmp_path / "ray-tmp").mkdir()


def test_auto_without_a_cluster_is_one_line_and_creates_nothing(no_cluster, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli_run([*SWEEP, "--ray", "auto", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("bnn2q: error: --ray auto: no Ray cluster answered") and "--ray local" in err
    assert "\n" not in err and not out.exists()


@pytest.mark.parametrize("address", ["", "two words"])
def test_a_malformed_address_is_refused_before_anything_starts(address):
    from bnn2q import ray_runtime

    with pytest.raises(InputError, match="give 'local', 'auto', HOST:PORT or ray://HOST:PORT"):
        with ray_runtime.session(address):
            pass


def test_without_ray_installed_the_flag_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    out = tmp_path / "out"
    assert cli_run([*SWEEP, "--ray", "local", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert "--ray needs Ray" in err and "\n" not in err and not out.exists()
