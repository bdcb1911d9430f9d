"""A device described by hand: the ``bnn2q-noise/1`` JSON spec, read into a Qiskit ``Target``
(what the compiler transpiles for and places neurons on) and a qiskit-aer ``NoiseModel`` (what
the simulator folds and what Aer runs).

    {
      "format": "bnn2q-noise/1",
      "name": "my-device",                       optional
      "num_qubits": 8,
      "two_qubit_gate": "cz",                    cz (default), ecr or cx
      "coupling": [[0, 1], [1, 2]],              optional; default: every pair
      "defaults": {
        "t1_us": 200, "t2_us": 150,
        "readout": {"p01": 0.01, "p10": 0.02},   P(read 1 | 0), P(read 0 | 1)
        "sx":    {"error": 3e-4, "time_ns": 32},
        "x":     {"error": 3e-4, "time_ns": 32},
        "cz":    {"error": 5e-3, "time_ns": 68},
        "measure": {"time_ns": 1560},            optional: T1/T2 during the measurement
        "reset": {"error": 0.01, "time_ns": 1690} optional: P(|1⟩) after a reset
      },
      "qubits": {"3": {"t1_us": 80, "readout": {"p01": 0.004, "p10": 0.031}}},
      "pairs":  {"0,1": {"cz": {"error": 1.2e-2, "time_ns": 84}}}
    }

A qubit's field falls back to ``defaults``, and an absent default means no such noise. A gate
gives ``error`` — the reported 1 − average gate fidelity, split as qiskit-aer's
``NoiseModel.from_backend`` splits it: thermal relaxation over ``time_ns``, then depolarizing
λ = d (error − r) / (d (1 − r) − 1) for the rest (r the relaxation's infidelity, d = 2^n) — or
``depol``, λ itself (ρ → (1 − λ) ρ + λ I/d). T2 is capped at 2 T1. A ``"u,v"`` pair sets the
gate on (u, v); a symmetric gate (cz) also on (v, u). The model's channels are built in the
order and form ``from_backend`` uses (depolarizing, then relaxation; readout as a confusion
matrix), so a spec copied from a device folds to the same coefficients.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ....errors import InputError

FORMAT = "bnn2q-noise/1"
TWO_QUBIT_GATES = ("cz", "ecr", "cx")
ONE_QUBIT_GATES = ("sx", "x")
QUBIT_KEYS = {"t1_us", "t2_us", "readout", "measure", "reset"} | set(ONE_QUBIT_GATES)


def read(source) -> dict:
    """A spec from a dict or a JSON file, checked for the fields bnn2q reads."""
    if isinstance(source, dict):
        spec = source
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"noise spec {str(path)!r} does not exist; give a {FORMAT} JSON file or a device "
                             "name like 'fake_torino'")
        try:
            spec = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"noise spec {str(path)!r} is not JSON: {exc}") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise InputError(f"a noise spec must be a JSON object with \"format\": \"{FORMAT}\"")
    n = spec.get("num_qubits")
    if not isinstance(n, int) or n < 1:
        raise InputError(f"noise spec: \"num_qubits\" must be a positive integer, got {n!r}")
    gate = spec.get("two_qubit_gate", "cz")
    if gate not in TWO_QUBIT_GATES:
        raise InputError(f"noise spec: \"two_qubit_gate\" must be one of {', '.join(TWO_QUBIT_GATES)}, got {gate!r}")
    for where, entry in [("defaults", spec.get("defaults", {}))] + [
            (f"qubits.{q}", e) for q, e in spec.get("qubits", {}).items()]:
        unknown = set(entry) - QUBIT_KEYS - ({gate} if where == "defaults" else set())
        if unknown:
            raise InputError(f"noise spec: unknown field(s) {sorted(unknown)} in {where}; known: "
                             f"{sorted(QUBIT_KEYS | {gate})}")
    for q in spec.get("qubits", {}):
        _qubit_index(q, n, "qubits")
    couplers(spec)
    return spec


def couplers(spec) -> list[tuple[int, int]]:
    """The directed couplers: ``coupling`` (both directions for cz), default every pair."""
    n = spec["num_qubits"]
    symmetric = spec.get("two_qubit_gate", "cz") == "cz"
    listed = spec.get("coupling")
    if listed is None:
        pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
    else:
        pairs = []
        for item in listed:
            if not (isinstance(item, (list, tuple)) and len(item) == 2):
                raise InputError(f"noise spec: a coupling entry must be [u, v], got {item!r}")
            u, v = (_qubit_index(q, n, "coupling") for q in item)
            pairs += [(u, v), (v, u)] if symmetric else [(u, v)]
    for key in spec.get("pairs", {}):
        u, v = _pair_key(key, n)
        if (u, v) not in pairs:
            raise InputError(f"noise spec: pair {key!r} is not a coupler of \"coupling\"")
    return sorted(set(pairs))


def _qubit_index(q, n: int, where: str) -> int:
    try:
        i = int(q)
    except (TypeError, ValueError):
        i = -1
    if not 0 <= i < n:
        raise InputError(f"noise spec: qubit {q!r} in {where} is not in 0..{n - 1}")
    return i


def _pair_key(key: str, n: int) -> tuple[int, int]:
    parts = str(key).split(",")
    if len(parts) != 2:
        raise InputError(f"noise spec: a pair is named \"u,v\", got {key!r}")
    return _qubit_index(parts[0], n, "pairs"), _qubit_index(parts[1], n, "pairs")


def qubit_field(spec, q: int, key: str):
    """A qubit's field, else the default, else None."""
    own = spec.get("qubits", {}).get(str(q), {})
    return own[key] if key in own else spec.get("defaults", {}).get(key)


def gate_field(spec, qubits: tuple):
    """The two-qubit gate's entry on (u, v) (or (v, u) for cz), else the default."""
    gate = spec.get("two_qubit_gate", "cz")
    pairs = spec.get("pairs", {})
    keys = [f"{qubits[0]},{qubits[1]}"] + ([f"{qubits[1]},{qubits[0]}"] if gate == "cz" else [])
    for key in keys:
        if gate in pairs.get(key, {}):
            return pairs[key][gate]
    return spec.get("defaults", {}).get(gate)


def relaxation_times(spec, q: int) -> tuple[float, float]:
    """(T1, T2) in seconds, T2 capped at 2 T1; inf when not given."""
    t1, t2 = qubit_field(spec, q, "t1_us"), qubit_field(spec, q, "t2_us")
    t1 = math.inf if t1 is None else float(t1) * 1e-6
    t2 = math.inf if t2 is None else float(t2) * 1e-6
    return t1, min(t2, 2 * t1)


def readout(spec, q: int) -> tuple[float, float]:
    ro = qubit_field(spec, q, "readout") or {}
    p01, p10 = float(ro.get("p01", 0.0)), float(ro.get("p10", 0.0))
    if not (0 <= p01 <= 1 and 0 <= p10 <= 1):
        raise InputError(f"noise spec: readout of qubit {q} must have p01, p10 in [0, 1], got {p01}, {p10}")
    return p01, p10


def _seconds(entry, what: str) -> float:
    t = float((entry or {}).get("time_ns", 0.0))
    if t < 0:
        raise InputError(f"noise spec: {what} time_ns must be >= 0, got {t}")
    return t * 1e-9
