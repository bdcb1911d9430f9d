"""Target ``helios``: Guppy source whose angle expression is the activation's own (checked without
Guppy), and — where the Helios environment is installed (``make helios``) — Selene against the
built-in simulator, the paper's carried network and the Larq model, HUGR and a dry-run submission."""

import json
import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.errors import TargetError
from bnn2q.targets.helios import env as helios_env
from bnn2q.targets.helios.guppy_expr import GUPPY, Expr
from bnn2q.targets.bindings import first_angles as _first_angles

from .conftest import TINY_INPUT
from .stats import assert_same_frequencies, mismatches
from .test_memory import three_hidden_layers

HELIOS = pytest.mark.skipif(helios_env.python() is None,
                            reason="the Helios environment is not installed (make helios)")
#: The helpers every generated module defines, in Python.
HELPERS = {"PI": math.pi, "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
           "step": lambda x: float(x >= 0), "step_strict": lambda x: float(x > 0)}


@pytest.mark.parametrize("act", [activations.get("rotation", 0.7), activations.get("rotation", 0.0),
                                 activations.get("ancilla", 0.3, 1.0)], ids=["tau=0.7", "tau=0", "ancilla"])
@pytest.mark.parametrize("strict", [False, True])
def test_the_program_computes_the_activations_own_angle(act, strict):
    text = str(act.angle(Expr("u"), xp=GUPPY, strict=strict))
    for u in (-3.0, -0.2, 0.0, 1e-9, 0.4, 6.0):
        expected = float(act.angle(np.array(u), strict=strict))
        assert eval(text, dict(HELPERS, u=u)) == pytest.approx(expected, abs=1e-12), (text, u)


def test_one_computed_rotation_per_fed_neuron_and_no_conditionals(tiny):
    prog = bnn2q.compile(tiny, "helios", activation="ancilla", quantumness=0.5, g=1.0, inputs=TINY_INPUT, max_qubits=4)
    source = prog.native[0].source
    r = prog.resources
    assert r["conditionals"] == 0 and r["helios"]["computed_angles"] == 2 and r["two_qubit_gates"] == 6
    # ±1 kernels times a batch-norm scale: an integer sum, u = unit · z + offset as in the simulator
    assert "K1 = [[1, -1, 1], [1, -1, -1]]" in source and "U1 = [0.5, 1.0]" in source
    assert "theta = (PI * sigmoid((u / 0.5)))" in source and "BAKED_IN = True" in source
    real, _ = three_hidden_layers()
    assert "W1 = [[" in bnn2q.compile(real, "helios", quantumness=0.5).native[0].source  # real weights: floats


def test_requests_helios_cannot_meet(tiny):
    from bnn2q.targets.helios.target import HeliosProgram

    with pytest.raises(TargetError, match=r"target 'helios' computes every angle at run time and prunes nothing"):
        bnn2q.compile(tiny, "helios", quantumness=0.5, tolerance=0.01)
    with pytest.raises(TargetError, match=r"target 'helios' has 98 qubits; pass max_qubits <= 98"):
        bnn2q.compile(tiny, "helios", max_qubits=100)
    wide = type("Prog", (), {"native": (HeliosProgram("", 30, 1, True),)})()
    with pytest.raises(TargetError, match=r"Selene's state-vector emulator holds at most 24 qubits, the program "
                                          r"uses 30; recompile with max_qubits <= 24"):
        helios_env.sample(wide, None, 10, 0)


ROTATION = dict(activation="rotation", quantumness=1.0)
CARRIED = dict(quantumness=0.5, g=0.3)
SHOTS = 4000  # Selene's cost is loading and building each program; shots are nearly free
CLASSICAL = 1  # digits test samples run at τ = 0 (PECOS checks three)


@pytest.fixture(scope="module")
def selene(small_net, digits):
    """Every Selene program of these tests, run in one Helios process: {name: bits}."""
    if helios_env.python() is None:
        pytest.skip("the Helios environment is not installed (make helios)")
    net, x = three_hidden_layers()
    progs = {
        "rotation": bnn2q.compile(small_net, "helios", max_qubits=3, inputs=digits.x_test[3], **ROTATION),
        "ancilla": bnn2q.compile(net, "helios", activation="ancilla", inputs=x, max_qubits=4, **CARRIED),
        "ancilla-reset": bnn2q.compile(net, "helios", activation="ancilla-reset", inputs=x, max_qubits=4,
                                       **CARRIED),
    }
    jobs = [(p, None, SHOTS, 11 + k) for k, p in enumerate(progs.values())]
    # τ = 0 with the samples bound at run time (THETA_IN): the Larq model's signs, every shot
    classical = bnn2q.compile(small_net, "helios", quantumness=0.0, max_qubits=1)
    jobs += [(classical, _first_angles(classical, x), 4, 0) for x in digits.x_test[:CLASSICAL]]
    runs = helios_env.sample_many(jobs)
    out = {name: (progs[name], bits) for name, bits in zip(progs, runs)}
    out["classical"] = (classical, runs[len(progs):])
    return out


def test_selene_digits_sample_matches_simulate_with_qubit_reuse(selene, small_net, digits):
    prog, bits = selene["rotation"]
    assert prog.resources["qubits"] == 3 and prog.resources["resets"] > 0
    ref = bnn2q.simulate(small_net, digits.x_test[3], shots=200_000, seed=7, **ROTATION)
    assert_same_frequencies(bits, np.concatenate([b[0] for b in ref.bits], axis=1), "Selene rotation")


def test_selene_runs_the_papers_carried_network_and_its_reduction(selene):
    net, x = three_hidden_layers()
    ref = {a: np.concatenate([b[0] for b in bnn2q.simulate(net, x, activation=a, shots=200_000, seed=9,
                                                            **CARRIED).bits], axis=1)
           for a in ("ancilla", "ancilla-reset")}
    prog, bits = selene["ancilla"]
    assert prog.resources["qubits"] == 4 and prog.resources["resets"] > 0
    assert mismatches(bits, ref["ancilla"], prog.layout) == []
    assert mismatches(bits, ref["ancilla-reset"], prog.layout), "the test must tell memory from its reduction"
    prog, bits = selene["ancilla-reset"]
    assert mismatches(bits, ref["ancilla-reset"], prog.layout) == []


def test_selene_classical_program_is_the_larq_model(selene, small_model, small_net, digits):
    from bnn2q.host.forward import HostPass

    from .test_classical import larq_hidden_bits

    prog, runs = selene["classical"]
    xs = digits.x_test[:CLASSICAL]
    predictions = np.argmax(small_model.predict(xs, verbose=0), axis=-1)
    for x, bits, expected in zip(xs, runs, predictions):
        assert (bits == larq_hidden_bits(small_model, x)).all()
        host = HostPass(small_net, x)
        for k, (_, start, stop) in enumerate(prog.layout):
            host.measured(k, bits[:, start:stop])
        assert np.argmax(host.logits().mean(axis=0)) == expected


@HELIOS
def test_hugr_and_a_dry_run_submission_that_sends_nothing(tiny, tmp_path, capsys):
    from bnn2q.cli import run as main
    from bnn2q.targets.output import write_program

    hugr, h2 = tmp_path / "prog.hugr", tmp_path / "prog.json"
    write_program(bnn2q.compile(tiny, "helios", quantumness=0.5, inputs=TINY_INPUT), hugr)
    assert hugr.read_bytes().startswith(b"HUGRiHJv")  # the HUGR envelope Nexus uploads
    write_program(bnn2q.compile(tiny, "quantinuum", quantumness=0.5, inputs=TINY_INPUT), h2)
    capsys.readouterr()
    assert main(["submit", str(h2), "--project", "bnn2q-test", "--shots", "10", "--dry-run"]) == 0
    sent = json.loads(capsys.readouterr().out)
    assert sent["sent"] is False and sent["backend_config"]["device_name"] == "H2-1"


@HELIOS
def test_submitting_without_a_login_says_so_in_one_line_with_the_hint(tiny, tmp_path, monkeypatch, capsys):
    """No stored Nexus login (a fresh HOME): one line naming `qnx login`, nothing sent."""
    from bnn2q.cli import run as main

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    program = tmp_path / "prog.py"
    program.write_text(bnn2q.compile(tiny, "helios", quantumness=0.5, inputs=TINY_INPUT).native[0].source)
    capsys.readouterr()
    assert main(["submit", str(program), "--project", "p", "--shots", "1"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "not logged in to Quantinuum Nexus" in err and ".venv-helios/bin/qnx login" in err, err


def test_without_the_helios_environment_one_line_says_how_to_get_it(tiny, tmp_path, monkeypatch, capsys):
    from bnn2q.cli import run as main

    monkeypatch.setenv("BNN2Q_HELIOS_PYTHON", str(tmp_path / "missing" / "python"))
    prog = bnn2q.compile(tiny, "helios", quantumness=0.5, inputs=TINY_INPUT)
    with pytest.raises(TargetError, match=r"the Helios environment is not installed: run 'make helios'"):
        helios_env.sample(prog, None, 10, 0)
    program = tmp_path / "prog.py"
    program.write_text(prog.native[0].source)
    assert main(["submit", str(program), "--project", "p", "--shots", "1", "--dry-run"]) == 1
    assert capsys.readouterr().err.strip().endswith("run 'make helios' (needs Python 3.12) or set "
                                                    "BNN2Q_HELIOS_PYTHON to its python")
