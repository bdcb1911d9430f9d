"""Jobs whose peak memory the benchmark measures, each run alone in a fresh process."""

from __future__ import annotations

import time
import tracemalloc

from bench.floor import float32_forward
from bench.networks import random_inputs, random_network


def simulate(sizes, samples, shots, quantumness=0.5, keep_bits=True):
    import bnn2q

    net = random_network(sizes)
    x = random_inputs(samples, sizes[0])
    bnn2q.simulate(net, x, quantumness=quantumness, shots=shots, keep_bits=keep_bits)


def floor(sizes, samples, shots):
    net = random_network(sizes)
    float32_forward(net, random_inputs(samples, sizes[0]), shots)()


JOBS = {"simulate": simulate, "floor": floor}


def run_measured(job: str, kwargs: dict) -> dict:
    # tracemalloc slows NumPy-heavy code only slightly: NumPy reports its buffers to it.
    tracemalloc.start()
    start = time.perf_counter()
    JOBS[job](**kwargs)
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_rss_mib": _peak_rss_kib() / 1024, "peak_traced_mib": traced_peak / 2**20, "seconds": seconds}


def _peak_rss_kib() -> int:
    """VmHWM: this process's own peak (getrusage's maxrss carries the parent's over exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")
