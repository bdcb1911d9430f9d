"""Target ``braket``: Amazon Braket OpenQASM 3 ``Program`` objects.

The text is the ``qasm3`` target's program in Braket's dialect (no include, ``cnot``).
``dynamic`` (default) runs on Braket's local simulator, which executes full OpenQASM 3:
mid-circuit measurement, reset, integer arithmetic and ``if``. Braket QPUs allow at most a
rotation conditioned on one bit, so for them compile ``strategy='layerwise'``: one static,
parametrised program per layer, the host binding each layer's angles."""

from __future__ import annotations

from dataclasses import replace

from ..qasm3.target import Qasm3Target
from ..target import Built


class BraketTarget(Qasm3Target):
    capabilities = replace(Qasm3Target.capabilities, name="braket")
    dialect = "braket"

    def build(self, circuits, act, int_bits: int, schedules: tuple) -> Built:
        from braket.ir.openqasm import Program

        texts = self.texts(circuits, int_bits)
        return Built(tuple(Program(source=t) for t in texts), texts)


TARGET = BraketTarget()
