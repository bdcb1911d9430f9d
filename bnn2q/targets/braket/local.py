"""Run programs on Braket's local simulator, with a reproducible seed: one sample at a time, a
dynamic program as one OpenQASM 3 run, a layerwise one layer by layer with the host between."""

from __future__ import annotations

import contextlib
import logging
import warnings

import numpy as np

from ...ir.circuit import Measure, Reset
from ...errors import TargetError
from .. import layerwise
from ..bindings import first_angles
from ..pace import each_sample, pace, shot_chunks

#: The local state-vector simulator's qubit limit (its device properties say 26).
MAX_QUBITS = 26


def _seeded_simulator(seed, density_matrix: bool):
    from braket.default_simulator import DensityMatrixSimulator, StateVectorSimulator

    base = DensityMatrixSimulator if density_matrix else StateVectorSimulator

    class SeededSimulator(base):
        """Braket's simulator drawing every sample from one seeded generator.

        Braket seeds nothing itself; each simulation it creates (one per branch of the
        mid-circuit measurement tree) gets our generator through its ``_rng_generator``."""

        def __init__(self):
            super().__init__()
            self._bnn2q_rng = np.random.default_rng(seed)

        def initialize_simulation(self, **kwargs):
            simulation = super().initialize_simulation(**kwargs)
            if hasattr(simulation, "_rng_generator"):
                simulation._rng_generator = self._bnn2q_rng
            return simulation

    return SeededSimulator()


def sample(source: str, inputs: dict, shots: int, seed, n_qubits: int, n_bits: int,
           density_matrix: bool = False) -> np.ndarray:
    """Run ``source`` for ``shots`` shots; uint8 outcomes of register m, [shots, n_bits].

    The simulator reports one bit per measurement in program order; bnn2q programs measure
    each bit of m once, in increasing order, so that order is m's.

    ``density_matrix`` selects Braket's density-matrix simulator. Programs that reset a qubit
    still entangled with an earlier measured one (the ancilla activation's neuron qubit) need
    it: the state-vector simulator's reset is not a proper channel there and shifts the
    earlier outcome's frequency (0.877 for an exact 0.914 in our check)."""
    from braket.devices import LocalSimulator
    from braket.ir.openqasm import Program

    if n_qubits > MAX_QUBITS:
        raise TargetError(
            f"Braket's local simulator holds at most {MAX_QUBITS} qubits, the program uses {n_qubits}; "
            f"recompile with max_qubits <= {MAX_QUBITS} (fewer qubits simulate faster)"
        )
    device = LocalSimulator(backend=_seeded_simulator(seed, density_matrix))
    with warnings.catch_warnings(), _quiet("braket.default_simulator"):
        warnings.simplefilter("ignore")
        result = device.run(Program(source=source, inputs=inputs or {}), shots=int(shots)).result()
    bits = np.asarray(result.measurements, dtype=np.uint8)
    if bits.shape != (shots, n_bits):
        raise TargetError(f"Braket returned outcomes of shape {bits.shape}, expected ({shots}, {n_bits})")
    return bits


def sample_program(prog, x, shots: int, seed, chunks=None) -> np.ndarray:
    """uint8 outcomes of m [shots, n_bits] of a qasm3/braket program for sample x.

    A dynamic program's shots run in ``chunks`` (default ``shot_chunks(shots)``), each a
    simulator run with its own seed drawn from ``seed``, so a pace can time and show them."""
    rng = np.random.default_rng(seed)

    def run_text(k, values, n, p):
        circuit = prog.circuits[k]
        bound = {name: float(values[_index(name)]) for name in circuit.params}
        bits = sample(_braket_text(prog, k), bound, n, int(rng.integers(2**31)), circuit.n_qubits,
                      circuit.n_bits, density_matrix=_resets_entangled(circuit))
        p.advance(n)
        return bits

    if prog.strategy == "dynamic":
        angles = first_angles(prog, x)
        with pace(shots, "shot", "braket-local") as p:
            _load_sdk(p)
            return np.concatenate([run_text(0, angles, n, p) for n in chunks or shot_chunks(shots)], axis=0)
    with pace(shots * len(prog.circuits), "shot", "braket-local") as p:
        _load_sdk(p)
        bits, _ = layerwise.sample(prog, x[None], shots, lambda k, rows, counts: [
            run_text(k, r, int(c), p) for r, c in zip(rows, counts)])
    return np.concatenate(bits, axis=1)


def _load_sdk(p) -> None:
    """Import Braket's simulator (seconds, once), then start the pace's clock: the estimate is of
    the shots, not of the import."""
    import braket.default_simulator  # noqa: F401
    import braket.devices  # noqa: F401

    p.restart()


def sample_programs(prog, xs, shots: int, seeds) -> list[np.ndarray]:
    """``sample_program`` for each sample of ``xs`` with its seed, in turn, each sample's shots in
    ``sample_chunks`` (the same for every sample: its outcomes do not depend on its place)."""
    return each_sample("braket-local", sample_program, prog, xs, shots, seeds)


def _braket_text(prog, k: int) -> str:
    """Circuit k in Braket's dialect (the qasm3 target's text includes stdgates.inc)."""
    if prog.target == "braket":
        return prog.qasm_texts[k]
    from ..qasm3 import emit

    return emit.dumps(prog.circuits[k], "braket", prog.resources["int_bits"])


def _resets_entangled(circuit) -> bool:
    """Whether a qubit is reset without having been measured (the ancilla neuron qubit)."""
    measured = set()
    for op in circuit.ops:
        if isinstance(op, Measure):
            measured.add(op.qubit)
        elif isinstance(op, Reset) and op.qubit not in measured:
            return True
        elif isinstance(op, Reset):
            measured.discard(op.qubit)
    return False


def _index(name: str) -> int:
    return int(name.rsplit("_", 1)[1])


@contextlib.contextmanager
def _quiet(name: str):
    """Silence a library logger (Braket warns that feed-forward programs may not run on QPUs)."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
