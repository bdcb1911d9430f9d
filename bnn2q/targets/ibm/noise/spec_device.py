"""A ``bnn2q-noise/1`` spec (``spec.py``) as Qiskit objects: the ``Target`` the compiler places
and transpiles for, and the qiskit-aer ``NoiseModel`` the simulator folds and Aer runs."""

from __future__ import annotations

import math

from ....errors import InputError
from . import spec as S


def target(spec):
    """A Target with rz (virtual), sx, x, the two-qubit gate on the couplers, measure, reset;
    errors and durations from the spec (the placement reads the errors)."""
    from qiskit.circuit import Measure, Parameter, Reset
    from qiskit.circuit.library import CXGate, CZGate, ECRGate, RZGate, SXGate, XGate
    from qiskit.transpiler import InstructionProperties, QubitProperties, Target

    n = spec["num_qubits"]
    props = []
    for q in range(n):
        t1, t2 = S.relaxation_times(spec, q)
        props.append(QubitProperties(t1=None if math.isinf(t1) else t1, t2=None if math.isinf(t2) else t2))
    t = Target(num_qubits=n, qubit_properties=props, description=spec.get("name", "bnn2q-noise spec"))
    t.add_instruction(RZGate(Parameter("φ")), {(q,): InstructionProperties(duration=0.0, error=0.0) for q in range(n)})
    for name, gate in (("sx", SXGate()), ("x", XGate())):
        t.add_instruction(gate, {(q,): _properties(S.qubit_field(spec, q, name)) for q in range(n)})
    two = {"cz": CZGate(), "ecr": ECRGate(), "cx": CXGate()}[spec.get("two_qubit_gate", "cz")]
    t.add_instruction(two, {pair: _properties(S.gate_field(spec, pair)) for pair in S.couplers(spec)})
    t.add_instruction(Measure(), {(q,): InstructionProperties(
        duration=S._seconds(S.qubit_field(spec, q, "measure"), "measure"), error=sum(S.readout(spec, q)) / 2)
        for q in range(n)})
    t.add_instruction(Reset(), {(q,): _properties(S.qubit_field(spec, q, "reset")) for q in range(n)})
    return t


def _properties(entry):
    from qiskit.transpiler import InstructionProperties

    entry = entry or {}
    error = entry.get("error", entry.get("depol"))
    return InstructionProperties(duration=S._seconds(entry, "gate"), error=None if error is None else float(error))


def noise_model(spec):
    """The NoiseModel: per gate depolarizing then relaxation (from_backend's form), readout
    confusion, optional relaxation during measurement (applied before it) and reset error."""
    from qiskit_aer.noise import NoiseModel, ReadoutError

    gate2 = spec.get("two_qubit_gate", "cz")
    model = NoiseModel(basis_gates=["rz", "sx", "x", gate2, "measure", "reset"])
    for q in range(spec["num_qubits"]):
        p01, p10 = S.readout(spec, q)
        if p01 or p10:
            model.add_readout_error(ReadoutError([[1 - p01, p01], [p10, 1 - p10]]), [q])
        for name in S.ONE_QUBIT_GATES:
            err = gate_error(spec, S.qubit_field(spec, q, name), (q,), name)
            if err is not None:
                model.add_quantum_error(err, name, [q])
        err = _relaxation(spec, (q,), S._seconds(S.qubit_field(spec, q, "measure"), "measure"))
        if err is not None:
            model.add_quantum_error(err, "measure", [q])
        err = _reset_error(spec, q)
        if err is not None:
            model.add_quantum_error(err, "reset", [q])
    for pair in S.couplers(spec):
        err = gate_error(spec, S.gate_field(spec, pair), pair, gate2)
        if err is not None:
            model.add_quantum_error(err, gate2, list(pair))
    return model


def gate_error(spec, entry, qubits: tuple, name: str):
    """Depolarizing (from ``error`` or ``depol``) composed with relaxation over ``time_ns``."""
    from qiskit.quantum_info import average_gate_fidelity
    from qiskit_aer.noise import depolarizing_error

    if not entry:
        return None
    relax = _relaxation(spec, qubits, S._seconds(entry, name))
    d = 2 ** len(qubits)
    if "depol" in entry:
        lam = float(entry["depol"])
        if not 0 <= lam <= d * d / (d * d - 1):
            raise InputError(f"noise spec: {name} depol on {qubits} must lie in [0, {d * d / (d * d - 1):.4g}], got {lam}")
    else:
        error = float(entry.get("error", 0.0))
        if not 0 <= error <= 1:
            raise InputError(f"noise spec: {name} error on {qubits} must lie in [0, 1], got {error}")
        fid = 1.0 if relax is None else average_gate_fidelity(relax)
        error = min(error, d / (d + 1))  # the largest physical gate error
        lam = d * (error - (1 - fid)) / (d * fid - 1) if error > 1 - fid else 0.0
        lam = min(lam, d * d / (d * d - 1))
    depol = depolarizing_error(lam, len(qubits)) if lam > 0 else None
    if depol is not None and relax is not None:
        return depol.compose(relax)
    return depol or relax


def _relaxation(spec, qubits: tuple, seconds: float):
    """Thermal relaxation of each qubit over ``seconds`` (a product for a pair), or None."""
    from qiskit_aer.noise import thermal_relaxation_error

    if not seconds:
        return None
    out = None
    for q in qubits:
        t1, t2 = S.relaxation_times(spec, q)
        if math.isinf(t1) and math.isinf(t2):
            one = thermal_relaxation_error(math.inf, math.inf, seconds)
        else:
            one = thermal_relaxation_error(t1, t2, seconds)
        out = one if out is None else out.expand(one)
    return out


def _reset_error(spec, q: int):
    """After an ideal reset: |1⟩ with probability ``error``, then relaxation over ``time_ns``."""
    from qiskit_aer.noise import pauli_error

    entry = S.qubit_field(spec, q, "reset")
    if not entry:
        return None
    p = float(entry.get("error", 0.0))
    if not 0 <= p <= 1:
        raise InputError(f"noise spec: reset error of qubit {q} must lie in [0, 1], got {p}")
    flip = pauli_error([("X", p), ("I", 1 - p)]) if p > 0 else None
    relax = _relaxation(spec, (q,), S._seconds(entry, "reset"))
    if flip is not None and relax is not None:
        return flip.compose(relax)
    return flip or relax
