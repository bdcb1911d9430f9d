"""Writing compiled programs to disk: whole or not at all."""

from __future__ import annotations

import json

from ..atomic import write_text_atomically


def program_text(prog) -> str:
    """OpenQASM 3 for a dynamic program with text; otherwise JSON: layout, resources and each
    circuit's OpenQASM 3 (Qiskit's exporter for target ibm)."""
    if prog.strategy == "dynamic" and prog.qasm_texts:
        return prog.qasm
    texts = prog.qasm_texts
    if not texts:
        from qiskit import qasm3

        texts = tuple(qasm3.dumps(qc) for qc in prog.native)
    return json.dumps({
        "target": prog.target,
        "strategy": prog.strategy,
        "layout": [list(row) for row in prog.layout],
        "resources": prog.resources,
        "circuits": list(texts),
    }, indent=2) + "\n"


def write_atomically(path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all."""
    write_text_atomically(path, text)
