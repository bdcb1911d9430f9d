"""Targets: the compiler's back ends (OpenQASM 3, Amazon Braket, IBM, Quantinuum H2, Helios) and their
runners, one folder per vendor behind the ``Target`` interface (``target.py``).

``compile`` lowers a network to a target's programs; ``run`` samples one program;
``execute`` runs a whole dataset and reads the logits out on the host."""

from .compiler import compile
from .program import CompiledProgram
from .registry import get_target
from .run import execute, run

__all__ = ["compile", "run", "execute", "get_target", "CompiledProgram"]
