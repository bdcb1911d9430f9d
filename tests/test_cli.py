"""The command line: info and run work; bad input is one line on stderr and a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bnn2q import cli

pytestmark = pytest.mark.xdist_group("larq-models")


def _run(capsys, *argv):
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_info_reports_layers_qubits_and_classical_accuracy(capsys, digits_model_path):
    code, out, err = _run(capsys, "info", str(digits_model_path), "--dataset", "digits", "--json")
    assert code == 0, err
    info = json.loads(out)
    assert [row["neurons"] for row in info["layers"]] == [64, 32] and info["classes"] == 10
    assert [row["kernel"] for row in info["layers"]] == ["scaled-binary", "scaled-binary"]
    assert info["neurons"] == 96 and info["qubits"]["rotation_all"] == 96
    assert info["qubits"]["ancilla_min"] == 65 and info["qubits"]["ancilla_reset_min"] == 2
    assert 0.8 < info["classical_accuracy"] <= 1.0


def test_run_builtin_json(capsys, digits_model_path):
    code, out, err = _run(capsys, "run", str(digits_model_path), "--backend", "builtin", "--dataset", "digits",
                          "--quantumness", "0.5", "--shots", "20", "--samples", "50", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["samples"] == 50 and result["shots"] == 20 and 0.5 < result["accuracy"] <= 1.0


def test_run_text_table(capsys, digits_model_path):
    code, out, _ = _run(capsys, "run", str(digits_model_path), "--dataset", "digits", "--activation", "ancilla",
                        "--g", "1.0", "--samples", "30", "--shots", "10")
    assert code == 0 and "accuracy" in out and "g = 1" in out


def test_the_papers_knob_a_is_twice_tau(capsys, digits_model_path):
    argv = ["run", str(digits_model_path), "--dataset", "digits", "--samples", "20", "--shots", "5", "--json"]
    _, by_a, _ = _run(capsys, *argv, "--a", "1.0")
    _, by_tau, _ = _run(capsys, *argv, "--quantumness", "0.5")
    a, tau = json.loads(by_a), json.loads(by_tau)
    assert a["quantumness"] == 0.5 and a["accuracy"] == tau["accuracy"]


@pytest.mark.parametrize(
    "argv,match",
    [
        (["run", "{model}", "--dataset", "digits", "--quantumness", "-1"], "quantumness must be >= 0"),
        (["run", "{model}", "--dataset", "digits", "--activation", "ancilla", "--g", "3"], r"g must lie in \[0, pi/2\]"),
        (["run", "{model}", "--dataset", "nowhere"], "unknown dataset 'nowhere'"),
        (["run", "{model}", "--dataset", "digits", "--shots", "0"], "shots must be a positive integer"),
        (["run", "{model}", "--dataset", "digits", "--samples", "0"], r"--samples must be a positive integer \(>= 1\)"),
        (["info", "{missing}"], "model file .* not found"),
        (["info", "{tern}"], r"kernel_quantizer 'ste_tern' gives 3 distinct weight values \(a ternary quantizer"),
        (["run", "{model}", "--dataset", "digits", "--a", "-2"], "the paper's stretch a must be >= 0"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(capsys, tmp_path, digits_model_path, argv, match):
    import re

    from tests.frontends.test_larq_dense import TERNARY_INIT, _model

    tern = tmp_path / "tern.h5"
    if "{tern}" in argv:
        import larq as lq

        _model(lq.layers.QuantDense(4, kernel_quantizer="ste_tern", kernel_initializer=TERNARY_INIT),
               lq.layers.QuantDense(3, input_quantizer="ste_sign", kernel_quantizer="ste_sign")).save(tern)
    paths = {"{model}": str(digits_model_path), "{missing}": str(tmp_path / "none.h5"), "{tern}": str(tern)}
    code, out, err = _run(capsys, *[paths.get(a, a) for a in argv])
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bnn2q: error: ") and re.search(match, lines[0]), err
    assert out == ""


def test_console_script_prints_no_traceback_and_no_native_chatter(tmp_path):
    """The installed entry point, as a user runs it: TensorFlow's C++ logs stay quiet."""
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"garbage")
    exe = os.path.join(os.path.dirname(sys.executable), "bnn2q")
    proc = subprocess.run([exe, "info", str(bad)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert proc.stderr.startswith("bnn2q: error: cannot read Keras model") and "Traceback" not in proc.stderr


def test_help_lists_the_commands():
    proc = subprocess.run([sys.executable, "-m", "bnn2q.cli", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    for command in ("info", "run"):
        assert command in proc.stdout
