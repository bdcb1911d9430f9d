"""Targets: the compiler's back ends (OpenQASM 3, Amazon Braket, IBM/Qiskit) and their runners.

``compile`` lowers a network to a target's programs; ``run`` samples one program;
``execute`` runs a whole dataset and reads the logits out on the host."""

from .compiler import compile, get_target
from .program import CompiledProgram
from .run import execute, run

__all__ = ["compile", "run", "execute", "get_target", "CompiledProgram"]
