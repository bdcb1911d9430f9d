"""Target ``braket``: Amazon Braket OpenQASM 3 ``Program`` objects.

``dynamic`` (default) runs on Braket's local simulator, which executes full OpenQASM 3:
mid-circuit measurement, reset, integer arithmetic and ``if``. Braket QPUs allow at most a
rotation conditioned on one bit, so for them compile ``strategy='layerwise'``: one static,
parametrised program per layer, the host binding each layer's angles."""

from __future__ import annotations

from dataclasses import replace

from . import qasm3_target

# The same OpenQASM 3 as target qasm3 (Braket's gate names, no include), wrapped for Braket.
CAPABILITIES = replace(qasm3_target.CAPABILITIES, name="braket")


def build(circuits, act):
    """(Braket Programs, OpenQASM texts, extra resources)."""
    from braket.ir.openqasm import Program

    _, texts, extra = qasm3_target.build(circuits, act)
    return tuple(Program(source=t) for t in texts), texts, extra
