"""Writing compiled programs to disk: whole or not at all."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..atomic import atomic_path, write_text_atomically
from ..errors import InputError


def program_text(prog) -> str:
    """OpenQASM 3 for a dynamic program with text; the Guppy module for target helios; otherwise
    JSON: layout, resources and each circuit — OpenQASM 3 (Qiskit's exporter for target ibm) or,
    for target quantinuum, the pytket circuit (``Circuit.from_dict``; compiled for H2 when the
    sample is baked in, else with input symbols ``theta_<j>``)."""
    if prog.target == "helios":
        return prog.native[0].source
    if prog.strategy == "dynamic" and prog.qasm_texts:
        return prog.qasm
    doc = {
        "target": prog.target,
        "strategy": prog.strategy,
        "layout": [list(row) for row in prog.layout],
        "resources": prog.resources,
    }
    if prog.target == "quantinuum":
        program = prog.native[0]
        doc["registers"] = "m[j] is the 1-bit register m_<j>"
        doc["pytket"] = (program.compiled or program.circuit).to_dict()
    else:
        texts = prog.qasm_texts
        if not texts:
            from qiskit import qasm3

            texts = tuple(qasm3.dumps(qc) for qc in prog.native)
        doc["circuits"] = list(texts)
    return json.dumps(doc, indent=2) + "\n"


def write_program(path, prog) -> None:
    """Write ``prog`` to ``path``; a ``.hugr`` path gets a helios program's HUGR package (built in
    the Helios environment), anything else ``program_text``."""
    if Path(path).suffix == ".hugr":
        if prog.target != "helios":
            raise InputError(f"a .hugr file holds a Guppy program: compile with --target helios, not {prog.target}")
        from .helios_env import hugr

        data = hugr(prog)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        return
    write_text_atomically(path, program_text(prog))


def write_atomically(path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all."""
    write_text_atomically(path, text)
