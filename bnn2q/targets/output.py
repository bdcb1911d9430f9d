"""Writing compiled programs to disk: whole or not at all.

``FILE.qpy`` (target ``ibm``): the ISA circuits, one per circuit of the program, in Qiskit's
QPY format — parameters ``theta[j]`` (neuron j's angle), register ``m``; each circuit's
metadata names its layer, its slice of m, the device and the physical qubit of each virtual
one. ``FILE.hugr`` (target ``helios``): the Guppy program's HUGR package. Any other name: the
Guppy source (helios), OpenQASM 3 text (a dynamic program with text) or JSON (layout,
resources, each circuit's OpenQASM 3 or the pytket circuit)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from ..atomic import write_bytes_atomically, write_text_atomically
from ..errors import InputError


def write_program(prog, path) -> None:
    """``prog`` to ``path``: QPY for ``.qpy`` (target ibm), a HUGR package for ``.hugr`` (target
    helios, built in the Helios environment), anything else ``program_text``."""
    suffix = Path(path).suffix
    if suffix == ".qpy":
        write_bytes_atomically(path, program_qpy(prog), suffix)
    elif suffix == ".hugr":
        if prog.target != "helios":
            raise InputError(f"a .hugr file holds a Guppy program: compile with --target helios, not {prog.target}")
        from .helios_env import hugr

        write_bytes_atomically(path, hugr(prog), suffix)
    else:
        write_text_atomically(path, program_text(prog))


def program_qpy(prog) -> bytes:
    """The ISA circuits as QPY bytes, each with bnn2q's metadata."""
    from qiskit import qpy

    if prog.target != "ibm":
        raise InputError(f"QPY holds Qiskit circuits: compile with --target ibm, not {prog.target!r} "
                         "(or write .qasm/.json)")
    circuits = []
    for k, isa in enumerate(prog.isa):
        qc = isa.copy()
        bits = prog.layout if prog.strategy == "dynamic" else [prog.layout[k]]
        qc.metadata = dict(isa.metadata or {}, bnn2q={
            "layers": [row[0] for row in bits], "bits": [bits[0][1], bits[-1][2]],
            "strategy": prog.strategy, "activation": prog.activation.name,
            "quantumness": prog.activation.quantumness, "g": getattr(prog.activation, "g", None)})
        circuits.append(qc)
    buf = io.BytesIO()
    qpy.dump(circuits, buf)
    return buf.getvalue()


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
    if prog.device is not None:
        doc["device"] = prog.device.device.name
        doc["physical_layouts"] = [list(layout) for layout in prog.device.layouts]
    return json.dumps(doc, indent=2) + "\n"

