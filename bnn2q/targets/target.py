"""The ``Target`` interface: what every back end implements, so ``compile`` needs to know none.

A target, like a Braket device or a Qiskit ``BackendV2``, states what its programs may use
(``capabilities``), grants a qubit budget, builds its native objects from bnn2q's gate-level
circuits, and — where programs are bound to a device (IBM) — resolves and places on it:

    t = targets.get_target("ibm")
    dev = t.device(backend)                       # None for targets without a device
    budget = t.budget(act, max_qubits, dev)       # physical qubits the lowering may use
    built = t.build(circuits, act, int_bits, schedules)
    placed = t.place(built.native, dev)           # None where there is nothing to place
    t.text(prog), t.to_bytes(prog, ".qpy")       # the program as a file (``output.py``)

Each vendor's folder (``qasm3/``, ``braket/``, ``ibm/``, ``quantinuum/``, ``helios/``) holds one
``Target`` subclass in ``target.py``; ``registry.py`` names them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import InputError, TargetError
from .capabilities import Capabilities


@dataclass(frozen=True)
class Built:
    """What ``Target.build`` returns.

    native: the target's objects, one per circuit (QASM texts, Braket ``Program``s, Qiskit
        circuits, pytket programs, Guppy modules).
    texts: the OpenQASM 3 texts, where the target writes any (else empty).
    extra: target-specific entries for ``prog.resources`` (H2's compiled counts, …)."""

    native: tuple
    texts: tuple = ()
    extra: dict = field(default_factory=dict)


class Target:
    """A back end of ``bnn2q.compile``. Subclasses set ``capabilities`` and implement ``build``;
    the other methods have the behaviour of a target without a device."""

    capabilities: Capabilities
    #: How error messages name the machine whose qubits ``budget`` counts.
    machine: str = ""
    #: Binary file formats the target writes (``to_bytes``): suffix → what such a file holds.
    binary_formats: dict = {}

    @property
    def name(self) -> str:
        return self.capabilities.name

    def device(self, backend):
        """The device ``backend=`` names, to transpile and place for; None when none is given.
        Only targets bound to a device take one."""
        if backend is not None:
            raise InputError(f"backend= names a device to transpile for, which only target 'ibm' does; target "
                             f"{self.name!r} runs on backend={self.capabilities.backends[0]!r}")
        return None

    def budget(self, act, max_qubits: int | None, device=None) -> int | None:
        """The physical qubits the lowering may use: ``max_qubits``, or all the target has (None:
        unbounded); more than it has is refused."""
        limit = self.capabilities.max_qubits
        if max_qubits is None:
            return limit
        if limit is not None and max_qubits > limit:
            machine = f" ({self.machine})" if self.machine else ""
            raise TargetError(f"target {self.name!r}{machine} has {limit} qubits; pass max_qubits <= {limit}")
        return max_qubits

    def build(self, circuits: tuple, act, int_bits: int, schedules: tuple) -> Built:
        """The target's objects for the lowered circuits (one per circuit; ``schedules`` are the
        allocated QuantumNetworks they were lowered from)."""
        raise NotImplementedError

    def place(self, native: tuple, device):
        """The program's circuits transpiled and placed for ``device`` (kept on the program as
        ``prog.device``); None for targets without a device."""
        return None

    def text(self, prog) -> str:
        """The program as a text file: OpenQASM 3 for a dynamic program with text, otherwise a
        JSON document (``document``)."""
        if prog.strategy == "dynamic" and prog.qasm_texts:
            return prog.qasm
        return json.dumps(self.document(prog), indent=2) + "\n"

    def document(self, prog) -> dict:
        """The JSON form: layout, resources and each circuit's OpenQASM 3."""
        return {
            "target": prog.target,
            "strategy": prog.strategy,
            "layout": [list(row) for row in prog.layout],
            "resources": prog.resources,
            "circuits": list(prog.qasm_texts),
        }

    def to_bytes(self, prog, suffix: str) -> bytes:
        """The program in the binary format of ``suffix``, one of ``binary_formats``."""
        raise InputError(f"target {self.name!r} writes no {suffix} files")
