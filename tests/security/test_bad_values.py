"""Bad values get one line naming the flag (or file) and the fix, a non-zero exit, and nothing
written — never an internal error, never exit 0 with an accuracy of nan."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q

from .conftest import one_line_error, run_cli

pytestmark = pytest.mark.xdist_group("larq-models")

RUN = ["run", "{m}", "--dataset", "digits", "--samples", "3", "--shots", "2"]


@pytest.mark.parametrize("argv, why", [
    (RUN + ["--seed", "-1"], r"--seed must be an integer >= 0, got -1; give any integer >= 0"),
    (RUN + ["--shots", str(2**63)], r"--shots must be at most 2\*\*53 .*; give fewer shots"),
    (RUN + ["--max-qubits", "-3", "--backend", "aer"], r"--max-qubits must be a positive integer \(>= 1\), got -3"),
    (RUN + ["--quantumness", "nan"], r"quantumness must be finite, got nan"),
    (["finetune", "{m}", "--dataset", "digits", "--batch-size", "0", "-o", "{o}/t.h5"],
     r"--batch-size must be a positive integer \(>= 1\), got 0; give a positive batch size"),
    (["finetune", "{m}", "--dataset", "digits", "--lr", "nan", "-o", "{o}/t.h5"], r"--lr must be a positive number"),
    (["compile", "{m}", "-o", "/proc/x.qasm"], r"cannot write '/proc/x\.qasm': cannot create a file in '/proc'"),
    (["compile", "{m}", "--sample", "-1", "--dataset", "digits", "-o", "{o}/x.qasm"], r"--sample must be an integer >= 0"),
])
def test_flags_out_of_range_are_one_line(digits_model_path, tmp_path, capsys, argv, why):
    argv = [a.replace("{m}", str(digits_model_path)).replace("{o}", str(tmp_path)) for a in argv]
    code, out, err = run_cli(capsys, *argv)
    one_line_error(code, err, why)
    assert list(tmp_path.iterdir()) == [] and out == ""


def _npz(path, **changes):
    x = np.random.default_rng(0).integers(0, 16, (10, 8, 8)).astype(np.float32) / 8 - 1
    arrays = dict(x_train=x, y_train=np.arange(10) % 10, x_test=x, y_test=np.arange(10) % 10)
    arrays.update(changes)
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("changes, why", [
    (dict(y_test=np.arange(9)), r"x_test holds 10 samples but y_test 9 labels; give one label per sample"),
    (dict(y_test=np.array(list("abcdefghij"))), r"y_test holds <U1 labels; bnn2q needs integer class labels"),
    (dict(y_test=np.linspace(0, 1, 10)), r"y_test holds labels that are not whole numbers"),
    (dict(x_test=np.full((10, 8, 8), np.nan)), r"x_test holds NaN, inf or values beyond float32 \(first in sample 0\)"),
    (dict(x_test=np.zeros((0, 8, 8)), y_test=np.zeros(0, int)), r"the test split of dataset 'd' is empty; give "
                                                                 r"x_test and y_test at least one sample"),
    (dict(x_test=np.array([1, "a"], dtype=object)), r"cannot read .* as an \.npz file: Object arrays cannot be loaded"),
])
def test_a_bad_dataset_file_is_one_line(digits_model_path, tmp_path, capsys, changes, why):
    path = _npz(tmp_path / "d.npz", **changes)
    code, out, err = run_cli(capsys, "run", digits_model_path, "--dataset", path)
    one_line_error(code, err, why)
    assert "nan" not in out


def test_compile_and_run_read_a_sample_by_the_same_rule(digits, tmp_path, capsys):
    """A digits image (8, 8, 1) is one sample of a 64-input model in both commands."""
    import onnx

    from ..frontends.onnx_builders import dense_bnn

    onnx.save(dense_bnn(n_in=64, n_out=10), tmp_path / "flat64.onnx")
    code, _, err = run_cli(capsys, "run", tmp_path / "flat64.onnx", "--dataset", "digits", "--samples", "5")
    assert code == 0, err
    code, _, err = run_cli(capsys, "compile", tmp_path / "flat64.onnx", "--sample", "0", "--dataset", "digits",
                           "-o", tmp_path / "s0.qasm")
    assert code == 0, err
    net = bnn2q.load(tmp_path / "flat64.onnx")
    assert net.input_shape == (64,) and digits.x_test[0].shape == (8, 8, 1)
    prog = bnn2q.compile(net, inputs=digits.x_test[0])
    np.testing.assert_array_equal(prog.sample, bnn2q.compile(net, inputs=digits.x_test[:1]).sample)
    np.testing.assert_array_equal(prog.sample, digits.x_test[0].reshape(64))
    assert bnn2q.simulate(net, digits.x_test[0], shots=1).predictions.shape == (1,)


def test_a_damaged_checkpoint_file_is_named(digits_model_path, tmp_path, capsys):
    argv = ["run", digits_model_path, "--dataset", "digits", "--samples", "2", "--shots", "4", "--backend", "aer",
            "--quantumness", "0.5", "--max-qubits", "2", "--checkpoint", tmp_path / "ck"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 0, err
    job = sorted((tmp_path / "ck").glob("layer*-job*.npy"))[0]
    job.write_bytes(job.read_bytes()[:40])
    code, _, err = run_cli(capsys, *argv)
    one_line_error(code, err, rf"checkpoint file '.*{job.name}' is damaged; delete it \(that job is recomputed\)")
    job.unlink()
    assert run_cli(capsys, *argv)[0] == 0
