"""Target ``braket``: Amazon Braket OpenQASM 3 ``Program`` objects.

``dynamic`` (default) runs on Braket's local simulator, which executes full OpenQASM 3:
mid-circuit measurement, reset, integer arithmetic and ``if``. Braket QPUs allow at most a
rotation conditioned on one bit, so for them compile ``strategy='layerwise'``: one static,
parametrised program per layer, the host binding each layer's angles."""

from __future__ import annotations

from . import qasm3
from .capabilities import Capabilities

CAPABILITIES = Capabilities(
    name="braket",
    strategies=("dynamic", "layerwise"),
    feed_forward="arithmetic",
    backends=("braket-local",),
)


def build(circuits, act):
    """(Braket Programs, OpenQASM texts, extra resources)."""
    from braket.ir.openqasm import Program

    texts = tuple(qasm3.dumps(c) for c in circuits)
    return tuple(Program(source=t) for t in texts), texts, {}
