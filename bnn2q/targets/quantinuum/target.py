"""Target ``quantinuum``: a pytket ``Circuit`` for Quantinuum's H-series, where the dynamic
program — mid-circuit measurement, reset, integer feed-forward and level chains — runs on the
hardware itself.

Each program is lowered to pytket (``tket_circuit.py``), compiled offline for H2 and put through the
checks a submission meets (``h2.py``: H2's predicates and limits, the QIR that a submission
sends, Quantinuum's QIR validator); the compiled gate counts go into ``resources["h2"]``.
Quantinuum documents QIR (adaptive profile) as an input of Helios too, but pytket-quantinuum
ships no Helios device model, so nothing Helios-specific is checked offline. Programs run
locally on PECOS (``bnn2q.run(prog, backend="quantinuum-local")``); on the hardware through
qnexus (see the README), which needs a Quantinuum account.
"""

from __future__ import annotations

import time

from ..capabilities import Capabilities
from ..helios.target import MAX_QUBITS as HELIOS_QUBITS
from ..target import Built, Target
from . import h2
from .tket_circuit import to_tket

#: The value input angles take while an unbound program is checked (H2 takes no symbols).
PLACEHOLDER_ANGLE = 1.0


class QuantinuumTarget(Target):
    capabilities = Capabilities(
        name="quantinuum",
        strategies=("dynamic",),
        feed_forward="arithmetic",
        max_qubits=h2.MAX_QUBITS,
        backends=("quantinuum-local",),
        # A signed sum of int_bits bits, offset to be non-negative, takes int_bits + 1 bits of register.
        int_bits=h2.MAX_REGISTER_WIDTH - 1,
    )
    machine = "H2"

    def build(self, circuits, act, int_bits: int, schedules: tuple) -> Built:
        """TketPrograms with their H2-compiled circuits (no OpenQASM text) and the H2 report."""
        (circuit,) = circuits  # the target runs the dynamic strategy only
        program = to_tket(circuit)
        start = time.perf_counter()
        checked = program.bind({p: PLACEHOLDER_ANGLE for p in program.params})
        counts = circuit.counts()
        level = h2.optimisation_level(counts.get("if", 0), counts.get("cx", 0))
        compiled = h2.compile_circuit(checked, level)
        compile_s = time.perf_counter() - start
        checked_by = h2.check(compiled)
        if not program.params:
            program.compiled = compiled
        report = {
            "device": f"{h2.DEVICE} (pytket-quantinuum offline machine list; machine_debug, nothing sent)",
            "optimisation_level": level,
            "compile_s": round(compile_s, 3),
            "checks_s": checked_by["seconds"],
            "qir_bytes": checked_by["qir_bytes"],
            "inputs": "baked in" if not program.params else f"bound to {PLACEHOLDER_ANGLE} rad for the checks",
            **h2.stats(compiled),
            "known_limits": dict(h2.KNOWN_LIMITS),
            "undocumented_limits": list(h2.UNDOCUMENTED),
            "helios": f"{HELIOS_QUBITS} qubits; documented to take QIR (adaptive profile); not checked offline "
                      "(pytket-quantinuum has no Helios model)",
        }
        return Built((program,), (), {"h2": report})

    def document(self, prog) -> dict:
        """Layout, resources and the pytket circuit (``Circuit.from_dict``): compiled for H2 when
        the sample is baked in, else with input symbols ``theta_<j>``."""
        doc = super().document(prog)
        del doc["circuits"]
        program = prog.native[0]
        doc["registers"] = "m[j] is the 1-bit register m_<j>"
        doc["pytket"] = (program.compiled or program.circuit).to_dict()
        return doc


TARGET = QuantinuumTarget()


def angle_bindings(program, values) -> dict:
    """{input name: radians} for a program's ``theta_<j>`` inputs from the host's angles."""
    return {p: float(values[int(p.rsplit("_", 1)[1])]) for p in program.params}

