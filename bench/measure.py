"""Wall-clock timing (best of several, interleaved) and peak memory in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_of(fns: dict, repeat: int) -> dict:
    """Best wall time (s) of each callable over ``repeat`` rounds, taken in turn so that a
    busy machine slows all of them alike."""
    best = {name: float("inf") for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def best_times(fns: dict, repeat: int) -> dict:
    """Best wall and best process-CPU seconds of each callable, (wall, cpu), over ``repeat``
    interleaved rounds. On a machine shared with other jobs the CPU time of the process is
    the steadier measure (it counts every thread of the process, BLAS's and numba's alike)."""
    best = {name: [float("inf"), float("inf")] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            best[name][0] = min(best[name][0], time.perf_counter() - wall)
            best[name][1] = min(best[name][1], time.process_time() - cpu)
    return {name: tuple(v) for name, v in best.items()}


def peak_memory(job: str, timeout: float | None = None, **kwargs) -> dict | None:
    """Run ``bench.jobs.<job>(**kwargs)`` in a fresh interpreter; returns what the job returns
    plus its seconds, peak resident memory (MiB, VmHWM) and peak traced Python/NumPy
    allocations (MiB, tracemalloc); None if it ran past ``timeout`` seconds, {"error": last
    line of its stderr} if it failed."""
    code = (
        "import json, sys; from bench.jobs import run_measured; "
        "print(json.dumps(run_measured(sys.argv[1], json.loads(sys.argv[2]))))"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, job, json.dumps(kwargs)],
            cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["(no message)"])[-1]
        return {"error": last[:200]}
    return json.loads(out.stdout.strip().splitlines()[-1])
