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

from ..circuit import ComputedAngle
from ..errors import TargetError
from .capabilities import Capabilities
from .guppy import guppy_source

#: Helios' qubits (Quantinuum's Helios documentation).
MAX_QUBITS = 98
UNDOCUMENTED = ("run-time classical operations per shot", "program (HUGR) size", "shots per job")

CAPABILITIES = Capabilities(
    name="helios",
    strategies=("dynamic",),
    feed_forward="computed",
    max_qubits=MAX_QUBITS,
    backends=("selene",),
)


@dataclass(frozen=True)
class HeliosProgram:
    """A Guppy module (``source``, entry point ``main``) on ``n_qubits`` qubits emitting ``n_bits``
    outcomes; ``bound``: whether its first-layer angles are baked in (else ``THETA_IN`` is set
    per sample)."""

    source: str
    n_qubits: int
    n_bits: int
    bound: bool


def budget(act, max_qubits):
    """None becomes all of Helios' qubits; more than it has is refused."""
    if max_qubits is None:
        return MAX_QUBITS
    if max_qubits > MAX_QUBITS:
        raise TargetError(f"target 'helios' has {MAX_QUBITS} qubits; pass max_qubits <= {MAX_QUBITS}")
    return max_qubits


def build(circuits, act, int_bits: int = 32, schedules: tuple = ()):
    """(HeliosPrograms, no OpenQASM text, the Helios report)."""
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
    return (program,), (), {"helios": report}
