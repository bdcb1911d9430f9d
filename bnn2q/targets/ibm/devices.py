"""IBM devices as the ``ibm`` target sees them: a name or a Qiskit object resolved to a
``Device`` (its name and transpiler ``Target``), and the physical qubits neurons are placed on.

Placement is decided here, once, for the compiler and for the noisy simulator alike
(``ibm.noise.DeviceNoise`` compiles through the same code), so both see the same qubits.

- a rotation neuron needs one qubit: R_y(θ) (two ``sx``) and a measurement, so its cost is
  e_measure(q) + 2 e_sx(q);
- a neuron/ancilla pair needs a coupler (n, a) — the neuron n is the control of both
  CX(n → a), the ancilla a is measured — costing 2 e_2q(n, a) + 2 e_sx(n) + e_measure(a).

Slots are chosen greedily in order of cost (disjoint qubits; couplers whose reported error is
≥ ``BROKEN`` are skipped — FakeTorino's 19–20 reports 1.0); slot s of every layer circuit is
the s-th cheapest, so under ``max_qubits`` the same physical qubits recur layer after layer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import cached_property

from ...errors import InputError, TargetError

#: Two-qubit gates a CX can be built from, in order of preference.
TWO_QUBIT_GATES = ("cz", "ecr", "cx")
#: A reported gate error at or above this marks a coupler or qubit as unusable.
BROKEN = 0.5
#: Prefix of IBM device names on the command line (``--backend ibm:fake_torino``).
PREFIX = "ibm:"


@dataclass(frozen=True, eq=False)
class Device:
    """A device the ``ibm`` target transpiles for.

    name: the backend's name (``fake_torino``, ``ibm_torino``, …).
    target: its ``qiskit.transpiler.Target`` (gates, couplers, calibrated errors).
    backend: the object that runs it (a ``BackendV2``, a ``DeviceNoise``, …), or None."""

    name: str
    target: object
    backend: object = field(default=None, repr=False)

    @cached_property
    def two_qubit_gate(self) -> str | None:
        names = self.target.operation_names
        return next((g for g in TWO_QUBIT_GATES if g in names), None)

    @cached_property
    def qubits(self) -> tuple[int, ...]:
        """Rotation slots: physical qubits, cheapest first."""
        costs = []
        for q in range(self.target.num_qubits):
            cost = _error(self.target, "measure", (q,)) + 2 * _error(self.target, "sx", (q,))
            if _usable(self.target, "measure", (q,)) and cost < BROKEN:
                costs.append((cost, q))
        return tuple(q for _, q in sorted(costs))

    @cached_property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """Neuron/ancilla slots: disjoint couplers (neuron, ancilla), cheapest first."""
        gate = self.two_qubit_gate
        if gate is None:
            return ()
        t = self.target
        couplers = t[gate].keys()
        if None in couplers:  # an all-to-all device (e.g. a bare AerSimulator)
            couplers = [(u, u + 1) for u in range(0, t.num_qubits - 1, 2)]
        costs = []
        for n, a in couplers:
            if _error(t, gate, (n, a)) >= BROKEN:
                continue
            cost = 2 * _error(t, gate, (n, a)) + 2 * _error(t, "sx", (n,)) + _error(t, "measure", (a,))
            costs.append((cost, n, a))
        used, out = set(), []
        for _, n, a in sorted(costs):
            if n not in used and a not in used:
                used.update((n, a))
                out.append((n, a))
        return tuple(out)

    def slots(self, weak: bool) -> tuple:
        return self.pairs if weak else self.qubits

    def capacity(self, weak: bool) -> int:
        """Qubits a layer circuit may use: every rotation slot, or two per pair."""
        return 2 * len(self.pairs) if weak else len(self.qubits)

    def initial_layout(self, n_qubits: int, weak: bool) -> list[int]:
        """Physical qubit of each virtual one: qubit s → slot s; with weak readout (2s, 2s + 1)
        → pair s (neuron, ancilla)."""
        slots = self.slots(weak)
        need = (n_qubits + 1) // 2 if weak else n_qubits
        if need > len(slots):
            raise TargetError(f"device {self.name!r} offers {self.capacity(weak)} usable qubits for this "
                              f"circuit, which needs {n_qubits}; pass max_qubits <= {self.capacity(weak)}")
        if weak:
            return [q for pair in slots[:need] for q in pair][:n_qubits]
        return list(slots[:n_qubits])

    def supports(self, name: str) -> bool:
        return name in self.target.operation_names


def _error(target, name: str, qargs) -> float:
    props = target[name].get(qargs) if name in target.operation_names else None
    return float(props.error) if props is not None and props.error is not None else 0.0


def _usable(target, name: str, qargs) -> bool:
    if name not in target.operation_names:
        return False
    qs = target[name].keys()
    return None in qs or qargs in qs


# --------------------------------------------------------------------------- resolution


def device(obj) -> Device:
    """The Device of a name (``ibm:fake_torino``, ``fake_torino``, ``ibm_torino``), a Qiskit
    ``BackendV2``, a ``DeviceNoise``, a runtime sampler bound to a backend, or a Device."""
    if isinstance(obj, Device):
        return obj
    if isinstance(obj, str):
        return device(get_backend(obj))
    backend = getattr(obj, "mode", None) if not hasattr(obj, "target") else obj
    if backend is not None and hasattr(backend, "target"):
        return Device(str(getattr(backend, "name", type(backend).__name__)), backend.target, backend)
    raise InputError(f"{type(obj).__name__} is not a device: pass a Qiskit BackendV2 (an IBM backend, a fake "
                     "backend, an AerSimulator), a device name like 'ibm:fake_torino', or a DeviceNoise")


def get_backend(name: str):
    """A Qiskit backend by name: ``fake_*`` from qiskit-ibm-runtime's fake provider, anything
    else from IBM Quantum through ``QiskitRuntimeService`` (a saved account)."""
    name = name[len(PREFIX):] if name.startswith(PREFIX) else name
    if name.startswith("fake_"):
        return _fake_backend(name)
    try:
        from qiskit_ibm_runtime import QiskitRuntimeService

        return QiskitRuntimeService().backend(name)
    except Exception as exc:  # no account, no network, unknown device: one line for the user
        raise InputError(f"IBM device {name!r} is not available ({type(exc).__name__}: {exc}); a real device "
                         "needs a saved account (QiskitRuntimeService.save_account), a fake one is named like "
                         "'fake_torino'") from None


@functools.lru_cache(maxsize=None)
def fake_names() -> dict:
    """{``fake_torino``: FakeTorino, …}: qiskit-ibm-runtime's fake backends by name."""
    from qiskit_ibm_runtime import fake_provider

    out = {}
    for attr in dir(fake_provider):
        if attr.startswith("Fake") and not attr.startswith("FakeProvider"):
            stem = attr[len("Fake"):]
            stem = stem[:-2] if stem.endswith("V2") else stem
            out["fake_" + stem.lower()] = getattr(fake_provider, attr)
    return out


@functools.lru_cache(maxsize=16)
def _fake_backend(name: str):
    """One instance per fake device: its Target takes a second to parse, and the compiler and
    the noisy simulator must place on the same one."""
    return _fake(name)()


def _fake(name: str):
    names = fake_names()
    if name not in names:
        some = ", ".join(n for n in ("fake_torino", "fake_fez", "fake_sherbrooke", "fake_kyiv") if n in names)
        raise InputError(f"unknown fake backend {name!r}: qiskit-ibm-runtime has {len(names)}, e.g. {some}")
    return names[name]
