"""The targets by name, and the sample-by-sample backends by name.

Vendor modules are imported when first asked for: each pulls in its SDK (Qiskit, Braket,
pytket, …), which a user of one target should not pay for."""

from __future__ import annotations

from ..errors import InputError
from .target import Target

TARGETS = ("qasm3", "braket", "ibm", "quantinuum", "helios")
#: Backends that run one sample at a time, and the target whose programs each runs.
TARGET_OF = {"braket-local": "braket", "quantinuum-local": "quantinuum", "selene": "helios"}


def get_target(name: str) -> Target:
    """The ``Target`` called ``name`` (``qasm3``, ``braket``, ``ibm``, ``quantinuum``, ``helios``)."""
    if name == "qasm3":
        from .qasm3.target import TARGET
    elif name == "braket":
        from .braket.target import TARGET
    elif name == "ibm":
        from .ibm.target import TARGET
    elif name == "quantinuum":
        from .quantinuum.target import TARGET
    elif name == "helios":
        from .helios.target import TARGET
    else:
        raise InputError(f"unknown target {name!r}: use one of {', '.join(TARGETS)}")
    return TARGET


def sample_by_sample(backend: str):
    """The runner of ``backend`` (a key of ``TARGET_OF``), a module with
    ``sample_program(prog, x, shots, seed)`` — uint8 outcomes of m [shots, n_bits] for one
    sample — and ``sample_programs(prog, xs, shots, seeds)``, the same for each sample in turn."""
    if backend == "braket-local":
        from .braket import local as runner
    elif backend == "quantinuum-local":
        from .quantinuum import pecos_local as runner
    elif backend == "selene":
        from .helios import env as runner
    else:
        raise InputError(f"unknown backend {backend!r}: use one of {', '.join(TARGET_OF)}")
    return runner
