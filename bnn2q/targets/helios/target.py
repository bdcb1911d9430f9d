"""Target ``helios``: a Guppy program for Quantinuum Helios, every fed-forward neuron one R_y whose
angle the program computes at run time (``guppy.py``) — no level chains, no conditionals.

Guppy and its emulator Selene need Python 3.12 and numpy 2, which the main environment (Larq,
numpy < 2) cannot hold: the source is written here, and turned into HUGR, emulated or submitted
in the optional Helios environment (``make helios``), driven by a subprocess
(``helios_env.py``). ``bnn2q.run(prog, backend="selene")`` samples it there.

Helios limits: 98 qubits (Quantinuum's Helios documentation); real-time integer and float
arithmetic and loops (Quantinuum's Helios workflow documentation). Not documented: bounds on
run-time classical work, program size or shots per job.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...ir.circuit import ComputedAngle
from ..capabilities import Capabilities
from ..target import Built, Target
from .guppy import guppy_source

#: Helios' qubits (Quantinuum's Helios documentation).
MAX_QUBITS = 98
UNDOCUMENTED = ("run-time classical operations per shot", "program (HUGR) size", "shots per job")


@dataclass(frozen=True)
class HeliosProgram:
    """A Guppy module (``source``, entry point ``main``) on ``n_qubits`` qubits emitting ``n_bits``
    outcomes; ``bound``: whether its first-layer angles are baked in (else ``THETA_IN`` is set
    per sample)."""

    source: str
    n_qubits: int
    n_bits: int
    bound: bool


class HeliosTarget(Target):
    capabilities = Capabilities(
        name="helios",
        strategies=("dynamic",),
        feed_forward="computed",
        max_qubits=MAX_QUBITS,
        backends=("selene",),
    )

    def build(self, circuits, act, int_bits: int, schedules: tuple) -> Built:
        """HeliosPrograms (no OpenQASM text) and the Helios report."""
        (circuit,), (schedule,) = circuits, schedules  # the target runs the dynamic strategy only
        source = guppy_source(schedule, act)
        program = HeliosProgram(source, circuit.n_qubits, circuit.n_bits, not circuit.params)
        computed = sum(isinstance(getattr(op, "angle", None), ComputedAngle) for op in circuit.ops)
        report = {
            "computed_angles": computed,
            "guppy_chars": len(source),
            "known_limits": {"qubits": MAX_QUBITS},
            "undocumented_limits": list(UNDOCUMENTED),
        }
        return Built((program,), (), {"helios": report})

    binary_formats = {".hugr": "a Guppy program's HUGR package"}

    def text(self, prog) -> str:
        """The Guppy module's source."""
        return prog.native[0].source

    def to_bytes(self, prog, suffix: str) -> bytes:
        """``.hugr``: the HUGR package, built in the Helios environment."""
        from .env import hugr

        return hugr(prog)


TARGET = HeliosTarget()
