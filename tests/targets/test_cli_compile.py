"""``bnn2q compile``: writes the program atomically and reports resources."""

import json

import openqasm3

from bnn2q.cli import run as main


def test_compile_writes_parseable_qasm(small_model, tmp_path, capsys):
    model = tmp_path / "m.h5"
    small_model.save(model)
    out = tmp_path / "prog.qasm"
    assert main(["compile", str(model), "--target", "qasm3", "--quantumness", "0.5", "--max-qubits", "3",
                 "--sample", "0", "--dataset", "digits", "-o", str(out)]) == 0
    openqasm3.parse(out.read_text())
    assert "qubits            3" in capsys.readouterr().out
    layered = tmp_path / "ibm.json"
    assert main(["compile", str(model), "--target", "ibm", "--json", "-o", str(layered)]) == 0
    doc = json.loads(layered.read_text())
    assert doc["strategy"] == "layerwise" and len(doc["circuits"]) == 2


def test_failure_leaves_no_file(small_model, tmp_path, capsys):
    model = tmp_path / "m.h5"
    small_model.save(model)
    out = tmp_path / "prog.qasm"
    assert main(["compile", str(model), "--activation", "ancilla", "--strategy", "dynamic", "--max-qubits", "1",
                 "-o", str(out)]) == 1
    assert "minimum of 7 qubits (the widest layer's 6 neuron qubits" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [model]


def test_compile_for_quantinuum_and_helios_and_run_on_pecos(small_model, tmp_path, capsys):
    from pytket.circuit import Circuit

    model = tmp_path / "m.h5"
    small_model.save(model)
    common = [str(model), "--quantumness", "0.5", "--max-qubits", "3", "--sample", "0", "--dataset", "digits"]
    h2 = tmp_path / "prog.json"
    assert main(["compile", *common, "--target", "quantinuum", "-o", str(h2)]) == 0
    assert "H2 compiled" in capsys.readouterr().out
    doc = json.loads(h2.read_text())
    circuit = Circuit.from_dict(doc["pytket"])  # compiled for H2, ready for qnexus
    assert circuit.n_qubits == 3 and not circuit.free_symbols() and doc["layout"][0][1:] == [0, 6]
    guppy = tmp_path / "prog.py"
    assert main(["compile", *common, "--target", "helios", "-o", str(guppy)]) == 0
    assert "@guppy" in guppy.read_text() and "angles computed at run time" in capsys.readouterr().out
    assert main(["run", str(model), "--backend", "quantinuum-local", "--dataset", "digits", "--samples", "2",
                 "--shots", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 2
