"""Target ``qasm3``: one standard OpenQASM 3 text per circuit (``stdgates.inc`` gates), for any
OpenQASM 3 stack; dynamic programs with feed-forward sums need its classical arithmetic.

bnn2q runs these programs on Braket's local simulator (printed again in Braket's dialect) and,
when they need no classical arithmetic, Qiskit's importer reads them."""

from __future__ import annotations

from . import qasm3
from .capabilities import Capabilities

CAPABILITIES = Capabilities(
    name="qasm3",
    strategies=("dynamic", "layerwise"),
    feed_forward="arithmetic",
    backends=("braket-local",),
)


def build(circuits, act, int_bits: int = 32, schedules: tuple = ()):
    """(native objects, OpenQASM texts, extra resources)."""
    texts = tuple(qasm3.dumps(c, "standard", int_bits) for c in circuits)
    return texts, texts, {}
