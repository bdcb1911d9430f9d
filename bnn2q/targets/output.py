"""Writing compiled programs to disk: whole or not at all, in the form the program's target
writes (``Target.text``, ``Target.to_bytes``).

``FILE.qpy`` (target ``ibm``): the ISA circuits in Qiskit's QPY format. ``FILE.hugr`` (target
``helios``): the Guppy program's HUGR package. Any other name: the Guppy source (helios),
OpenQASM 3 text (a dynamic program with text) or JSON (layout, resources, each circuit's
OpenQASM 3 or the pytket circuit)."""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_bytes_atomically, write_text_atomically
from ..errors import InputError
from .registry import TARGETS, get_target


#: Text files whose suffix says what they hold, and what the program's text must then be.
TEXT_SUFFIXES = {".qasm": "qasm", ".qasm3": "qasm", ".json": "json", ".py": "python"}
KIND_NAMES = {"qasm": "OpenQASM 3 text (.qasm)", "json": "a JSON document (.json)",
              "python": "a Guppy module (.py)"}


def write_program(prog, path) -> None:
    """``prog`` to ``path``: a binary format a target writes when ``path``'s suffix names one,
    else the target's text."""
    owner = check_format(path, prog.target, prog.strategy, text_kind(prog))
    if owner is None:
        write_text_atomically(path, get_target(prog.target).text(prog))
    else:
        write_bytes_atomically(path, owner.to_bytes(prog, Path(path).suffix), Path(path).suffix)


def check_format(path, target: str, strategy: str = "auto", kind: str | None = None):
    """The target writing ``path``'s binary format (``.qpy``, ``.hugr``), None for a text file;
    an InputError when that target is not ``target``, or when the suffix names a text format
    (``.qasm``, ``.json``, ``.py``) the program's text is not (``kind``: known once compiled;
    before, what ``target`` and ``strategy`` may write)."""
    suffix = Path(path).suffix.lower()
    owner = next((t for t in map(get_target, TARGETS) if suffix in t.binary_formats), None)
    if owner is not None and owner.name != target:
        raise InputError(f"a {suffix} file holds {owner.binary_formats[suffix]}: compile with --target "
                         f"{owner.name}, not {target}")
    wanted = TEXT_SUFFIXES.get(suffix)
    kinds = {kind} if kind is not None else text_kinds(target, strategy)
    if owner is None and wanted is not None and wanted not in kinds:
        writes = " or ".join(KIND_NAMES[k] for k in sorted(kinds))
        suffixes = "/".join(sorted({s for s, k in TEXT_SUFFIXES.items() if k in kinds}))
        raise InputError(f"{str(path)!r}: target {target}{'' if strategy == 'auto' else f' ({strategy})'} writes "
                         f"{writes}, not {KIND_NAMES[wanted]}; name the file *{suffixes}"
                         + ("" if target != "ibm" else " (or *.qpy for the device's ISA circuits)"))
    return owner


def text_kind(prog) -> str:
    """What ``Target.text`` writes for ``prog``: "qasm", "json" or "python"."""
    if prog.target == "helios":
        return "python"
    return "qasm" if prog.strategy == "dynamic" and prog.qasm_texts else "json"


def text_kinds(target: str, strategy: str = "auto") -> set:
    """The text kinds a program for ``target`` compiled with ``strategy`` may have."""
    if target == "helios":
        return {"python"}
    if target in ("qasm3", "braket"):
        return {"dynamic": {"qasm"}, "layerwise": {"json"}}.get(strategy, {"qasm", "json"})
    return {"json"}
