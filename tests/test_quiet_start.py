"""Start-up as a user sees it: the Python API as quiet as the CLI, ONNX without TensorFlow, the
Keras-3 import order said in one line, a status line while TensorFlow loads on a terminal, and no
Larq training advice in one-line errors."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.xdist_group("larq-models")


def python(code: str, env=None, timeout=600) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter, as a user's script (the environment without our test
    settings: no TF_CPP_MIN_LOG_LEVEL, no TF_USE_LEGACY_KERAS)."""
    base = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_USE_LEGACY_KERAS")}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env={**base, **(env or {})})


def test_loading_a_keras_model_from_the_api_prints_nothing(digits_model_path):
    proc = python(f"""
        import bnn2q
        net = bnn2q.load({str(digits_model_path)!r})
        print(len(net.hidden))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2" and proc.stderr == "", proc.stderr


def test_a_users_own_tensorflow_log_level_is_left_alone(digits_model_path):
    proc = python(f"""
        import bnn2q
        bnn2q.load({str(digits_model_path)!r})
    """, env={"TF_CPP_MIN_LOG_LEVEL": "0"})
    assert proc.returncode == 0, proc.stderr
    assert "tensorflow" in proc.stderr.lower() or "cuda" in proc.stderr.lower() or "I0000" in proc.stderr


def test_tensorflow_imported_first_is_said_in_one_line_and_loading_fails_in_one_line(digits_model_path):
    proc = python(f"""
        import tensorflow
        import bnn2q
        try:
            bnn2q.load({str(digits_model_path)!r})
        except bnn2q.Bnn2qError as exc:
            print(exc)
    """, env={"TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr
    said = [line for line in proc.stderr.splitlines() if line.startswith("bnn2q:")]
    assert len(said) == 1 and "import bnn2q before tensorflow" in said[0], proc.stderr
    assert proc.stdout.count("\n") == 1 and "import bnn2q first" in proc.stdout


def test_onnx_models_load_simulate_and_compile_without_tensorflow(tmp_path):
    import onnx

    from tests.frontends.onnx_builders import dense_bnn

    model = dense_bnn(seed=0)
    path = tmp_path / "net.onnx"
    onnx.save(model, str(path))
    proc = python(f"""
        import sys
        import numpy as np
        import bnn2q
        from bnn2q import cli
        net = bnn2q.load({str(path)!r})
        bnn2q.simulate(net, np.zeros((3, 12)), quantumness=0.5, shots=10)
        bnn2q.compile(net, target="qasm3", quantumness=0.5)
        assert cli.run(["info", {str(path)!r}]) == 0
        print("tensorflow" in sys.modules)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False"


def test_a_terminal_sees_one_transient_line_while_tensorflow_loads(digits_model_path):
    """stderr on a pseudo-terminal: "loading TensorFlow …", erased, and nothing else."""
    leader, follower = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_USE_LEGACY_KERAS")}
    proc = subprocess.Popen([sys.executable, "-c", f"import bnn2q; bnn2q.load({str(digits_model_path)!r})"],
                            stderr=follower, stdout=subprocess.DEVNULL, env=base)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=600) == 0
    assert seen == "loading TensorFlow …\r\x1b[K".encode(), seen


def test_larqs_training_advice_adds_no_line_to_a_one_line_error(tmp_path):
    """A binary kernel without kernel_constraint: Larq logs advice when the model is built."""
    proc = python(f"""
        import bnn2q
        import larq as lq
        import tensorflow as tf
        m = tf.keras.Sequential([tf.keras.Input((4,)),
                                 lq.layers.QuantDense(3, kernel_quantizer="ste_sign"),
                                 lq.layers.QuantDense(2, input_quantizer="ste_sign", kernel_quantizer="ste_sign")])
        m.save({str(tmp_path / "m.h5")!r})
    """, env={"TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr
    exe = os.path.join(os.path.dirname(sys.executable), "bnn2q")
    out = subprocess.run([exe, "compile", str(tmp_path / "m.h5"), "--max-qubits", "0", "-o", str(tmp_path / "x.qasm")],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("bnn2q: error: "), out.stderr
    assert not (tmp_path / "x.qasm").exists()
