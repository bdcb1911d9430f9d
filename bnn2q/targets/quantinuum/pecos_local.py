"""Run an H2-compiled pytket circuit on PECOS, the emulator behind Quantinuum's local backends.

pytket-pecos turns the circuit into PHIR (Quantinuum's hybrid IR: the classical expressions,
range predicates and conditional gates included) and PECOS's hybrid engine runs it on a state
vector, with a seeded generator (same seed, same shots)."""

from __future__ import annotations

import numpy as np

from ...errors import TargetError
from ..bindings import draw_seed, first_angles
from ..pace import each_sample, pace, shot_chunks

#: PECOS's state vector holds every declared qubit: 2²⁴ amplitudes is 256 MiB.
MAX_QUBITS = 24


def sample(compiled, m_bits: list, shots: int, seed: int, chunks=None) -> np.ndarray:
    """uint8 outcomes [shots, len(m_bits)], column j the bit ``m_bits[j]``; the shots run in
    ``chunks`` (default ``shot_chunks(shots)``), each with a seed drawn from ``seed``.

    Each register is decoded by name from PECOS's raw strings. PECOS prints a register from an
    unmasked signed 64-bit value, so a value that did not fit its register comes back longer
    than the register: that is an error here, never a silent shift of the bits after it."""
    from pytket_pecos import Emulator

    if compiled.n_qubits > MAX_QUBITS:
        raise TargetError(f"the local emulator (PECOS state vector) holds at most {MAX_QUBITS} qubits, the "
                          f"program uses {compiled.n_qubits}; recompile with max_qubits <= {MAX_QUBITS}")
    circ = compiled.copy()
    # PHIR leaves out bits no command touches; pin them to 0 so every register is reported.
    used = {arg for cmd in circ.get_commands() for arg in cmd.args}
    for bit in set(circ.bits) - used:
        circ.add_c_setbits([False], [bit])
    emulator = Emulator(circ, qsim="state-vector", seed=int(seed))
    rng = np.random.default_rng(seed)
    raw = {}
    with pace(shots, "shot", "quantinuum-local") as p:
        p.restart()  # the estimate is of the shots, not of importing PECOS and building PHIR
        for n in chunks or shot_chunks(shots):
            part = emulator.engine.run(emulator.phir, foreign_object=emulator.foreign_object, shots=int(n),
                                       seed=int(rng.integers(2**31)))
            for name, values in part.items():
                raw.setdefault(name, []).extend(values)
            p.advance(n)
    sizes = {r.name: r.size for r in circ.c_registers}
    out = np.zeros((shots, len(m_bits)), dtype=np.uint8)
    for j, bit in enumerate(m_bits):
        size = sizes[bit.reg_name]
        strings = [str(s) for s in raw[bit.reg_name]]
        if any(len(s) != size for s in strings):
            bad = next(s for s in strings if len(s) != size)
            raise TargetError(f"PECOS returned {bad!r} for the {size}-bit register {bit.reg_name}")
        column = size - 1 - bit.index[0]  # PECOS prints the highest bit first
        out[:, j] = [s[column] == "1" for s in strings]
    return out


def sample_program(prog, x, shots: int, seed, chunks=None) -> np.ndarray:
    """A quantinuum program on PECOS for sample x: its H2-compiled circuit, compiled again with
    this sample's input angles bound when the program left them open."""
    from . import h2
    from .target import angle_bindings

    program = prog.native[0]
    compiled = program.compiled
    if compiled is None:
        bound = program.bind(angle_bindings(program, first_angles(prog, x)))
        compiled = h2.compile_circuit(bound, prog.resources["h2"]["optimisation_level"])
    return sample(compiled, program.m_bits, shots, draw_seed(seed), chunks)


def sample_programs(prog, xs, shots: int, seeds) -> list[np.ndarray]:
    """``sample_program`` for each sample of ``xs`` with its seed, in turn, each sample's shots in
    ``sample_chunks`` (the same for every sample: its outcomes do not depend on its place)."""
    return each_sample("quantinuum-local", sample_program, prog, xs, shots, seeds)
