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


def write_program(prog, path) -> None:
    """``prog`` to ``path``: a binary format a target writes when ``path``'s suffix names one,
    else the target's text."""
    owner = check_format(path, prog.target)
    if owner is None:
        write_text_atomically(path, get_target(prog.target).text(prog))
    else:
        write_bytes_atomically(path, owner.to_bytes(prog, Path(path).suffix), Path(path).suffix)


def check_format(path, target: str):
    """The target writing ``path``'s binary format (``.qpy``, ``.hugr``), None for a text file;
    an InputError when that target is not ``target``."""
    suffix = Path(path).suffix
    owner = next((t for t in map(get_target, TARGETS) if suffix in t.binary_formats), None)
    if owner is not None and owner.name != target:
        raise InputError(f"a {suffix} file holds {owner.binary_formats[suffix]}: compile with --target "
                         f"{owner.name}, not {target}")
    return owner
