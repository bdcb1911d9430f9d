"""Fine-tuning at τ = 1 recovers accuracy lost at τ = 1; the output is plain Larq."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import h5py
import pytest

from bnn2q.cli import run as cli_run
from bnn2q.train.evaluate import quantum_accuracy
from bnn2q.train.finetune import finetune, save_model_atomic

TAU = 1.0
#: Few shots per image: where a single measured network's noise still costs accuracy.
SHOTS = 5
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def tuned(digits_model, digits):
    model, _ = finetune(digits_model, digits.x_train, digits.y_train, quantumness=TAU,
                        epochs=20, lr=3e-3, seed=0)
    return model


def accuracy(model, digits, tau):
    return quantum_accuracy(model, digits.x_test, digits.y_test, quantumness=tau, shots=SHOTS,
                            seeds=SEEDS)


def test_finetuning_at_tau_one_recovers_accuracy(digits_model, tuned, digits):
    classical = accuracy(digits_model, digits, 0.0)
    before = accuracy(digits_model, digits, TAU)
    after = accuracy(tuned, digits, TAU)
    # The classical model loses accuracy when its neurons are quantum at τ = 1 ...
    assert before.mean < classical.mean - 0.03
    assert before.shot_mean < classical.shot_mean - 0.1
    # ... and fine-tuning at τ = 1 wins back at least 2 points (mean over shots and seeds).
    assert after.mean >= before.mean + 0.02, (before.accuracy, after.accuracy)
    assert after.shot_mean >= before.shot_mean + 0.02, (before.shot_accuracy, after.shot_accuracy)


def test_output_loads_with_plain_larq(tuned, tmp_path):
    path = save_model_atomic(tuned, tmp_path / "tuned.h5")
    assert [p.name for p in tmp_path.iterdir()] == ["tuned.h5"]  # no temporary left behind
    with h5py.File(path, "r") as f:
        config = f.attrs["model_config"]
    config = config.decode() if isinstance(config, bytes) else config
    assert "QuantumSign" not in config and "quantum_sign" not in config and "bnn2q" not in config
    assert json.loads(config)["class_name"] == "Sequential"
    # A fresh interpreter that never imports bnn2q: only Larq's own custom objects exist there.
    code = (
        "import os, sys; os.environ['TF_USE_LEGACY_KERAS'] = '1'\n"
        "import tensorflow as tf, larq\n"
        f"m = tf.keras.models.load_model({str(path)!r})\n"
        "assert not any(k.startswith('bnn2q') for k in sys.modules)\n"
        "print(sorted({type(l.input_quantizer).__name__ for l in m.layers "
        "if getattr(l, 'input_quantizer', None) is not None}))\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "['SteSign']"


def test_cli_finetune_writes_a_compilable_model(digits_model_path, tmp_path, capsys):
    out = tmp_path / "ft.h5"
    status = cli_run([
        "finetune", str(digits_model_path), "--dataset", "digits", "--quantumness", "1",
        "--train-size", "300", "--epochs", "1", "--shots", "4", "--seeds", "1", "-o", str(out),
    ])
    text = capsys.readouterr().out
    assert status == 0
    assert "before" in text and "after" in text and f"wrote {out}" in text
    import bnn2q

    net = bnn2q.load(out)  # what `bnn2q compile` reads
    assert [layer.width for layer in net.hidden] == [64, 32]


@pytest.mark.parametrize("argv, message", [
    (["--quantumness", "-1"], "quantumness must be >= 0"),
    (["--train-size", "0"], "--train-size must be a positive integer"),
    (["-o", "out.txt"], "must end in .h5 or .keras"),
    (["-o", "no/such/dir/out.h5"], "does not exist"),
])
def test_cli_finetune_bad_input_is_one_line(digits_model_path, tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    base = ["finetune", str(digits_model_path), "--dataset", "digits", "-o", "out.h5"]
    assert cli_run(base + argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("bnn2q: error:") and message in err and "\n" not in err
    assert not any(p.suffix == ".h5" for p in tmp_path.iterdir())


def test_onnx_models_cannot_be_finetuned(tmp_path, capsys):
    model = tmp_path / "m.onnx"
    model.write_bytes(b"")
    assert cli_run(["finetune", str(model), "--dataset", "digits", "-o", str(tmp_path / "o.h5")]) == 1
    assert "needs a Larq/Keras model" in capsys.readouterr().err
