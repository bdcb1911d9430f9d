"""The optional Helios environment (``.venv-helios``), driven by a subprocess: Guppy → HUGR,
Selene emulation, Nexus submission (``runner.py`` runs there).

It is found at ``$BNN2Q_HELIOS_PYTHON``, else ``.venv-helios/bin/python`` in the checkout
(``make helios`` builds it from ``requirements-helios.lock`` with Python 3.12)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np

from ...errors import TargetError
from ..bindings import draw_seed, first_angles
from ..pace import pace, sample_chunks, shot_chunks

RUNNER = Path(__file__).with_name("runner.py")
CHECKOUT = Path(__file__).resolve().parents[3]  # bnn2q/targets/helios/env.py → the checkout
#: Selene's state-vector emulator holds every qubit the program allocates.
MAX_QUBITS = 24
#: Seconds one call may take (a first Selene build fills zig's cache, ~40 s).
TIMEOUT = 1800


def python() -> Path | None:
    """The Helios environment's interpreter, or None when it is not installed."""
    env = os.environ.get("BNN2Q_HELIOS_PYTHON")
    path = Path(env) if env else CHECKOUT / ".venv-helios" / "bin" / "python"
    return path if path.exists() else None


def call(args: list[str], progress=None) -> str:
    """Run the runner with ``args``, its stdout returned; a failure becomes one line.
    ``progress(n)`` is called for each "bnn2q-progress N" line the runner writes to stderr (0:
    the work proper starts)."""
    exe = python()
    if exe is None:
        raise TargetError("the Helios environment is not installed: run 'make helios' (needs Python 3.12) "
                          "or set BNN2Q_HELIOS_PYTHON to its python")
    env = dict(os.environ, PYTHONHASHSEED="0")
    # -I: the runner's own folder (bnn2q/targets/helios) must not shadow the Helios environment's packages.
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([str(exe), "-I", str(RUNNER), *args], stdout=out, stderr=subprocess.PIPE,
                                text=True, env=env)
        lines = []
        watchdog = threading.Timer(TIMEOUT, proc.kill)
        watchdog.start()
        try:
            for line in proc.stderr:
                if line.startswith("bnn2q-progress "):
                    if progress is not None:
                        progress(int(line.split()[1]))
                elif line.strip():
                    lines.append(line.strip())
            proc.wait(timeout=TIMEOUT)
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        stdout = out.read()
    if proc.returncode:
        lines = lines or [line for line in stdout.strip().splitlines() if line.strip()]
        raise TargetError(f"the Helios environment failed ({args[0]}): {lines[-1] if lines else proc.returncode}")
    return stdout


def _files(prog, angles, folder: Path) -> list[str]:
    """Write the program (and its input angles) into ``folder``; the runner's file arguments."""
    program = prog.native[0]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "program.py"
    path.write_text(program.source)
    args = [str(path)]
    if not program.bound:
        if angles is None:
            raise TargetError("this program takes its sample at run time: pass inputs= (one sample)")
        (folder / "inputs.json").write_text(json.dumps([float(a) for a in angles]))
        args += ["--inputs", str(folder / "inputs.json")]
    return args


def sample(prog, angles, shots: int, seed: int) -> np.ndarray:
    """uint8 outcomes [shots, n_bits] of a helios program on Selene (``angles``: the host's
    first-layer angles by bit, for a program compiled without inputs)."""
    return sample_many([(prog, angles, shots, seed)], shot_chunks)[0]


def sample_program(prog, x, shots: int, seed) -> np.ndarray:
    """uint8 outcomes [shots, n_bits] of a helios program on Selene for sample x."""
    return sample(prog, first_angles(prog, x), shots, draw_seed(seed))


def sample_programs(prog, xs, shots: int, seeds) -> list[np.ndarray]:
    """``sample_program`` for every sample of ``xs`` at once: one Helios process for all (Guppy
    and Selene load once)."""
    return sample_many([(prog, first_angles(prog, x), shots, draw_seed(seed)) for x, seed in zip(xs, seeds)],
                       sample_chunks)


def runs(shots: int, seed: int, chunks) -> list[list[int]]:
    """[[shots, seed], ...] of one job: its shots split by ``chunks`` (``shot_chunks`` for one
    program run, ``sample_chunks`` for every sample of many), each with a seed drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    return [[n, int(rng.integers(2**31))] for n in chunks(shots)]


def sample_many(jobs, chunks=sample_chunks) -> list[np.ndarray]:
    """``sample`` for each (prog, angles, shots, seed) in ``jobs``, in one Helios process (Guppy
    and Selene take seconds to load; a job's shots take far less), each job's shots split by
    ``chunks`` (see ``runs``)."""
    specs = []
    with tempfile.TemporaryDirectory(prefix="bnn2q-helios-") as tmp:
        for k, (prog, angles, shots, seed) in enumerate(jobs):
            program = prog.native[0]
            if program.n_qubits > MAX_QUBITS:
                raise TargetError(f"Selene's state-vector emulator holds at most {MAX_QUBITS} qubits, the program "
                                  f"uses {program.n_qubits}; recompile with max_qubits <= {MAX_QUBITS}")
            files = _files(prog, angles, Path(tmp) / f"job{k}")
            specs.append({"program": files[0], "inputs": files[2] if len(files) > 2 else None,
                          "runs": runs(shots, seed, chunks)})
        (Path(tmp) / "jobs.json").write_text(json.dumps(specs))
        total = sum(int(shots) for _, _, shots, _ in jobs)
        with pace(total, "shot", "selene") as p:
            call(["run", str(Path(tmp) / "jobs.json"), "--out", str(Path(tmp) / "out.json")],
                 lambda n: p.advance(n) if n else p.restart())
        outs = json.loads((Path(tmp) / "out.json").read_text())
    results = []
    for (prog, _, shots, _), out in zip(jobs, outs):
        bits = np.asarray(out["bits"], dtype=np.uint8)
        if bits.shape != (shots, prog.native[0].n_bits):
            raise TargetError(f"Selene returned outcomes of shape {bits.shape}, expected "
                              f"({shots}, {prog.native[0].n_bits})")
        results.append(bits)
    return results


def hugr(prog, angles=None) -> bytes:
    """The HUGR package (envelope bytes, what Nexus uploads) of a helios program."""
    with tempfile.TemporaryDirectory(prefix="bnn2q-helios-") as tmp:
        folder = Path(tmp)
        call(["hugr", *_files(prog, angles, folder), "--out", str(folder / "program.hugr")])
        return (folder / "program.hugr").read_bytes()
