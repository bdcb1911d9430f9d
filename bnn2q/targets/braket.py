"""Target ``braket``: Amazon Braket OpenQASM 3 ``Program`` objects.

The text is the ``qasm3`` target's program in Braket's dialect (no include, ``cnot``).
``dynamic`` (default) runs on Braket's local simulator, which executes full OpenQASM 3:
mid-circuit measurement, reset, integer arithmetic and ``if``. Braket QPUs allow at most a
rotation conditioned on one bit, so for them compile ``strategy='layerwise'``: one static,
parametrised program per layer, the host binding each layer's angles."""

from __future__ import annotations

from dataclasses import replace

from . import qasm3, qasm3_target

CAPABILITIES = replace(qasm3_target.CAPABILITIES, name="braket")


def build(circuits, act, int_bits: int = 32, schedules: tuple = ()):
    """(Braket Programs, OpenQASM texts, extra resources)."""
    from braket.ir.openqasm import Program

    texts = tuple(qasm3.dumps(c, "braket", int_bits) for c in circuits)
    return tuple(Program(source=t) for t in texts), texts, {}
