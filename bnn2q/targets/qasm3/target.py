"""Target ``qasm3``: one standard OpenQASM 3 text per circuit (``stdgates.inc`` gates), for any
OpenQASM 3 stack; dynamic programs with feed-forward sums need its classical arithmetic.

bnn2q runs these programs on Braket's local simulator (printed again in Braket's dialect) and,
when they need no classical arithmetic, Qiskit's importer reads them."""

from __future__ import annotations

from ..capabilities import Capabilities
from ..target import Built, Target
from . import emit


class Qasm3Target(Target):
    capabilities = Capabilities(
        name="qasm3",
        strategies=("dynamic", "layerwise"),
        feed_forward="arithmetic",
        backends=("braket-local",),
        integer_aux=True,
    )
    dialect = "standard"

    def texts(self, circuits, int_bits: int) -> tuple[str, ...]:
        return tuple(emit.dumps(c, self.dialect, int_bits) for c in circuits)

    def build(self, circuits, act, int_bits: int, schedules: tuple) -> Built:
        texts = self.texts(circuits, int_bits)
        return Built(texts, texts)


TARGET = Qasm3Target()
