"""Target ``qasm3``: one OpenQASM 3 text per circuit, for any OpenQASM 3 stack with feed-forward
(full classical arithmetic, e.g. Braket's local simulator)."""

from __future__ import annotations

from . import qasm3
from .capabilities import Capabilities

CAPABILITIES = Capabilities(
    name="qasm3",
    strategies=("dynamic", "layerwise"),
    feed_forward="arithmetic",
    backends=("braket-local",),
)


def build(circuits, act):
    """(native objects, OpenQASM texts, extra resources)."""
    texts = tuple(qasm3.dumps(c) for c in circuits)
    return texts, texts, {}
