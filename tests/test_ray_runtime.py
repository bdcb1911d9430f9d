"""Joining Ray: the addresses' meaning, and one line (nothing created) when there is no cluster or
no Ray. The runtime itself is exercised by tests/train/test_sweep_ray.py and tests/targets."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bnn2q.cli import run as cli_run
from bnn2q.errors import InputError

SWEEP = ["sweep", "64-8-10", "--dataset", "digits", "--train-sizes", "100", "--seeds", "1", "--epochs", "1",
         "--shots", "5", "--vote", "5"]


def test_auto_without_a_cluster_is_one_line(tmp_path):
    """In a process of its own: this one may have joined the tests' runtime already. A private
    runtime running on the machine (another test's) is not a cluster to join."""
    pytest.importorskip("ray")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["RAY_TMPDIR"] = str(tmp_path)  # no 'ray start' ever ran here: 'auto' has nothing to join
    script = ("from bnn2q import ray_runtime\nfrom bnn2q.errors import InputError\ntry:\n"
              "    with ray_runtime.session('auto'):\n        pass\nexcept InputError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    line = done.stdout.strip()
    assert line, done.stderr[-2000:]
    assert line.startswith("--ray auto: no Ray cluster to join (RAY_ADDRESS is unset") and "--ray local" in line
    assert "\n" not in line


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
