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
