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
    assert main(["compile", str(model), "--activation", "ancilla", "--max-qubits", "1", "-o", str(out)]) == 1
    assert "minimum of 7 qubits (the widest layer's 6 neuron qubits" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [model]
