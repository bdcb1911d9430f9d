"""Whole evaluations on a device: one job per layer for every sample × shot, resumable after a
failed job, and the command line's accuracy on a fake device agreeing with the noisy simulator."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit.primitives import BaseSamplerV2

import bnn2q
from bnn2q.targets import execute
from bnn2q.targets.ibm.jobs import runner
from bnn2q.targets.run import sample_bits

from .conftest import TINY_INPUT

pytestmark = pytest.mark.xdist_group("ibm-devices")

KNOBS = dict(activation="ancilla", quantumness=0.5, g=1.0)


class FailingSampler(BaseSamplerV2):
    """A real Aer sampler that raises on its ``fail_on``-th job (a job lost on the device)."""

    def __init__(self, fail_on: int | None = None):
        from qiskit_aer.primitives import SamplerV2

        self.inner = SamplerV2(seed=4)
        self.fail_on, self.jobs = fail_on, 0

    def run(self, pubs, *, shots=None):
        self.jobs += 1
        if self.jobs == self.fail_on:
            raise RuntimeError("job failed on the device")
        return self.inner.run(pubs, shots=shots)


def test_a_failed_job_resumes_without_recomputing(tiny, tmp_path):
    xs = np.stack([TINY_INPUT, -TINY_INPUT, TINY_INPUT[::-1]])
    failing = FailingSampler(fail_on=2)
    with pytest.raises(RuntimeError, match="job failed"):
        execute(tiny, xs, backend=failing, shots=200, seed=1, checkpoint=tmp_path / "ck", **KNOBS)
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["circuits.qpy", "layer0-job0.npy", "run.json"]

    again = FailingSampler()
    report = {}
    resumed = execute(tiny, xs, backend=again, shots=200, seed=1, checkpoint=tmp_path / "ck", report=report, **KNOBS)
    assert again.jobs == 1 and report["jobs"] == [0, 1]  # layer 0 read back, only layer 1 submitted
    # The sampler's fixed seed makes every job draw alike: the resumed run is the unbroken one.
    whole = execute(tiny, xs, backend=FailingSampler(), shots=200, seed=1, **KNOBS)
    for a, b in zip(resumed.bits, whole.bits):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(bnn2q.InputError, match="belongs to another run"):
        execute(tiny, xs, backend=again, shots=100, seed=1, checkpoint=tmp_path / "ck", **KNOBS)


def test_one_job_per_layer_merges_identical_angle_vectors(tiny):
    xs = np.stack([TINY_INPUT] * 4 + [-TINY_INPUT] * 3)
    report = {}
    execute(tiny, xs, backend="aer", activation="rotation", quantumness=0.5, shots=50, report=report)
    assert report["jobs"] == [1, 1] and report["executions"] == [350, 350]
    assert report["bindings"][0] == 2  # two distinct samples, hence two first-layer angle vectors
    assert report["bindings"][1] <= 2 * 2**3  # the second layer's angles follow 3 bits per sample


def test_backends_as_objects(tiny):
    """An AerSimulator, Aer's SamplerV2 and Qiskit's BackendSamplerV2 on a fake backend all run
    the program; results are frequencies of the same law (no noise model: exact statistics)."""
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import SamplerV2

    prog = bnn2q.compile(tiny, "ibm", inputs=TINY_INPUT, activation="rotation", quantumness=0.5)
    ref = bnn2q.simulate(tiny, TINY_INPUT, activation="rotation", quantumness=0.5, shots=100_000, seed=0)
    p = np.concatenate([b[0] for b in ref.bits], axis=1).mean(axis=0)
    for backend in (AerSimulator(), SamplerV2(seed=3)):
        bits = sample_bits(prog, backend, 3000, seed=2)
        assert np.all(np.abs(bits.mean(axis=0) - p) <= 4.5 * np.sqrt(p * (1 - p) / 3000) + 1e-9), type(backend)
    assert runner(AerSimulator()).device.name == "aer_simulator"


def test_cli_on_a_fake_device_agrees_with_the_noisy_simulator(small_model, tmp_path, capsys):
    """``bnn2q run --backend ibm:fake_torino`` (Aer, the device's noise, one job per layer) and
    ``--backend builtin --noise fake_torino``: accuracies within the binomial interval."""
    from bnn2q.cli import run as main

    model = tmp_path / "m.h5"
    small_model.save(model)
    args = ["run", str(model), "--dataset", "digits", "--samples", "60", "--shots", "40", "--quantumness", "0.3",
            "--json"]
    assert main(args + ["--backend", "ibm:fake_torino"]) == 0
    device = json.loads(capsys.readouterr().out)
    assert main(args + ["--noise", "fake_torino"]) == 0
    builtin = json.loads(capsys.readouterr().out)
    assert device["jobs_per_layer"] == [1, 1] and device["executions_per_layer"] == [2400, 2400]
    n, shots = 60, 40
    for key, trials in (("accuracy", n), ("shot_accuracy", n * shots)):
        p = (device[key] + builtin[key]) / 2
        assert abs(device[key] - builtin[key]) <= 4.5 * np.sqrt(p * (1 - p) * 2 / trials) + 1 / n, key


def test_cli_run_errors_are_one_line(small_model, tmp_path, capsys):
    from bnn2q.cli import run as main

    model = tmp_path / "m.h5"
    small_model.save(model)
    base = ["run", str(model), "--dataset", "digits", "--samples", "2"]
    assert main(base + ["--backend", "cirq"]) == 1
    assert "unknown backend 'cirq': use builtin, braket-local, quantinuum-local, selene, aer or ibm:NAME" in capsys.readouterr().err
    assert main(base + ["--backend", "aer", "--noise", "fake_torino"]) == 1
    assert "--noise applies to --backend builtin" in capsys.readouterr().err
    assert main(base + ["--noise", str(tmp_path / "missing.json")]) == 1
    assert "does not exist" in capsys.readouterr().err
