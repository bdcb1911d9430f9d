"""Offline compilation for Quantinuum H2 and the checks a submission would meet — no network.

``QuantinuumBackend("H2-1", machine_debug=True, api_handler=QuantinuumAPIOffline())`` compiles
to H2's gate set (``PhasedX``, ``Rz``, ``ZZPhase``, measure, reset, classical expressions and
range predicates, conditional gates) against the machine list pytket-quantinuum ships. Its
``valid_circuit`` runs the gate-set and no-symbol predicates; the ``H2-1LE`` model adds the
qubit and register counts. Neither catches a classical expression H2 cannot take, so the checks
also build the QIR that a submission sends (pytket-qir, H2's default language) and run
Quantinuum's own QIR validator (quantinuum-qircheck) on it.

H2 limits, from pytket-quantinuum's offline machine list (the API's machine information):
56 qubits, 4000 classical registers of at most 63 bits, 10,000 shots per job, all-to-all
connectivity. Not documented anywhere we could find: a bound on conditional operations,
classical instructions or program size per job — the online syntax checker (``H2-1SC``) is
the way to learn those.
"""

from __future__ import annotations

import functools
import time
from collections import Counter

from ...errors import TargetError

DEVICE = "H2-1"
#: H2 limits (pytket-quantinuum 0.59 offline machine list, H2-1 and H2-2).
MAX_QUBITS = 56
MAX_REGISTERS = 4000
MAX_REGISTER_WIDTH = 63
MAX_SHOTS = 10_000
#: What the checks know and what no document states.
KNOWN_LIMITS = {"qubits": MAX_QUBITS, "classical_registers": MAX_REGISTERS,
                "register_width": MAX_REGISTER_WIDTH, "shots_per_job": MAX_SHOTS}
UNDOCUMENTED = ("conditional operations per job", "classical instructions per job", "program (QIR) size")
#: tket's level-2 optimisation fuses each weak readout's CX · R_y(g) · CX into one ZZPhase
#: (half the two-qubit gates) but costs minutes on big programs (37 s at 2,048 conditionals on
#: 2 busy cores, 411 s at 8,950) and gains nothing on single-qubit gates: level 1 elsewhere.
LEVEL2_CONDITIONALS = 4000
TWO_QUBIT = ("ZZPhase", "ZZMax", "TK2")


@functools.lru_cache(maxsize=2)
def backend(device: str = DEVICE):
    """An H2 backend that never goes online (``machine_debug``: submissions are built, not sent);
    ``device`` ending in ``LE`` is the local-emulator model with the qubit/register predicates."""
    from pytket.extensions.quantinuum import QuantinuumAPIOffline, QuantinuumBackend

    if device.endswith("LE"):
        return QuantinuumBackend(device, api_handler=QuantinuumAPIOffline())
    return QuantinuumBackend(device, machine_debug=True, api_handler=QuantinuumAPIOffline())


def optimisation_level(n_conditionals: int, n_two_qubit: int) -> int:
    """2 where it pays (two-qubit gates, up to ``LEVEL2_CONDITIONALS`` conditionals), else 1."""
    return 2 if n_two_qubit and n_conditionals <= LEVEL2_CONDITIONALS else 1


def compile_circuit(circuit, level: int):
    """The circuit in H2's gate set, compiled by tket at ``level`` (0–2)."""
    return backend().get_compiled_circuit(circuit, optimisation_level=level)


def check(compiled) -> dict:
    """Run every offline check; raise TargetError naming the first that fails.

    Returns {"seconds": {check: seconds}, "qir_bytes": size of the QIR bitcode}."""
    from pytket.qir import QIRFormat, QIRProfile, pytket_to_qir

    timings, qir_bytes = {}, []

    def run(name, fn):
        start = time.perf_counter()
        try:
            ok = fn()
        except Exception as exc:  # a library's refusal, reported as one line
            raise TargetError(f"the H2 offline check {name!r} rejected the program: "
                              f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}") from None
        if ok is False:
            raise TargetError(f"the H2 offline check {name!r} rejected the program")
        timings[name] = round(time.perf_counter() - start, 3)

    widest = max((r.size for r in compiled.c_registers), default=0)
    if compiled.n_qubits > MAX_QUBITS:
        raise TargetError(f"H2 has {MAX_QUBITS} qubits but the program needs {compiled.n_qubits}; pass "
                          f"max_qubits <= {MAX_QUBITS} (--max-qubits) to reuse qubits")
    if len(compiled.c_registers) > MAX_REGISTERS:
        raise TargetError(f"H2 allows {MAX_REGISTERS} classical registers but the program needs "
                          f"{len(compiled.c_registers)} (one per measured neuron); compile a smaller network")
    if widest > MAX_REGISTER_WIDTH:
        raise TargetError(f"H2 registers hold at most {MAX_REGISTER_WIDTH} bits, the program has one of {widest}")
    run("valid_circuit H2-1", lambda: backend().valid_circuit(compiled))
    run("valid_circuit H2-1LE", lambda: backend(DEVICE + "LE").valid_circuit(compiled))

    def qir():
        from quantinuum_qircheck import qircheck

        bitcode = pytket_to_qir(compiled, "bnn2q", QIRFormat.BINARY, profile=QIRProfile.PYTKET)
        qircheck(bitcode)
        qir_bytes.append(len(bitcode))

    run("QIR + qircheck", qir)
    return {"seconds": timings, "qir_bytes": qir_bytes[0]}


def stats(compiled) -> dict:
    """Gate counts of a compiled circuit: conditional gates apart, two-qubit gates (ZZPhase),
    depth counting quantum operations only (tket's own depth also counts each classical
    expression and flag write as a layer)."""
    from pytket.circuit import OpType

    kinds: Counter = Counter()
    for cmd in compiled.get_commands():
        op = cmd.op
        kinds[f"if {op.op.type.name}" if op.type == OpType.Conditional else op.type.name] += 1
    quantum = {OpType.PhasedX, OpType.Rz, OpType.ZZPhase, OpType.ZZMax, OpType.TK2, OpType.Measure,
               OpType.Reset, OpType.Conditional}
    two_qubit = {getattr(OpType, name) for name in TWO_QUBIT}
    return {
        "commands": int(sum(kinds.values())),
        "conditionals": int(sum(n for k, n in kinds.items() if k.startswith("if "))),
        "two_qubit_gates": int(sum(n for k, n in kinds.items() if k.split()[-1] in TWO_QUBIT)),
        "depth": int(compiled.depth_by_type(quantum)),
        "two_qubit_depth": int(compiled.depth_by_type(two_qubit)),
        "classical_registers": len(compiled.c_registers),
        "by_type": dict(sorted(kinds.items())),
    }
