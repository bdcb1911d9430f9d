"""bnn2q benchmark: the built-in simulator against the float32 matmul floor and its peers.

    python bench/simulator.py            # full run (a few minutes), tables + CSV in bench/results/
    python bench/simulator.py --quick    # fewer repeats, no 10,000 × 1,000 memory run
    python bench/simulator.py --only floor --results /tmp/r   # one section, CSV elsewhere

Sections: (1)+(2) simulator throughput and its ratio to the floor, (1) peers (Braket local,
qiskit-aer) on the same compiled program, (3) compile time and program size, (4) fine-tuning
epoch time, (5) peak memory. Timings are the best of several interleaved runs."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import bnn2q  # noqa: E402
from bench.floor import float32_forward  # noqa: E402
from bench.measure import best_of, peak_memory  # noqa: E402
from bench.networks import DIGITS, FASHION, name, random_inputs, random_network  # noqa: E402
from bench.report import emit  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
#: (network, samples, shots) of the floor targets.
FLOOR_CASES = [(DIGITS, 360, 100), (FASHION, 1000, 100)]
#: (label, simulate keyword arguments)
REGIMES = [
    ("rotation tau=0.5", dict(activation="rotation", quantumness=0.5)),
    ("ancilla g=1.0", dict(activation="ancilla", g=1.0)),
    ("ancilla-reset g=1.0", dict(activation="ancilla-reset", g=1.0)),
    ("classical tau=0", dict(activation="rotation", quantumness=0.0)),
]


def throughput_vs_floor(repeat: int) -> list[dict]:
    rows = []
    for sizes, samples, shots in FLOOR_CASES:
        net = random_network(sizes)
        x = random_inputs(samples, sizes[0])
        fns = {"floor": float32_forward(net, x, shots)}
        for label, kwargs in REGIMES:
            fns[label] = lambda kw=kwargs: bnn2q.simulate(net, x, shots=shots, seed=0, **kw)
        best = best_of(fns, repeat)
        n_rows = samples * shots
        for label, _ in REGIMES:
            rows.append({
                "network": name(sizes), "samples": samples, "shots": shots, "regime": label,
                "simulate_ms": best[label] * 1e3, "shots_per_s": n_rows / best[label],
                "floor_ms": best["floor"] * 1e3, "ratio_to_floor": best[label] / best["floor"],
            })
    return rows


def memory(quick: bool) -> list[dict]:
    cases = [
        ("simulate", dict(sizes=FASHION, samples=1000, shots=100)),
        ("floor", dict(sizes=FASHION, samples=1000, shots=100)),
        ("simulate", dict(sizes=DIGITS, samples=360, shots=100)),
        ("floor", dict(sizes=DIGITS, samples=360, shots=100)),
    ]
    if not quick:
        cases.append(("simulate", dict(sizes=FASHION, samples=10_000, shots=1000, keep_bits=False)))
    rows = []
    for job, kwargs in cases:
        m = peak_memory(job, **kwargs)
        rows.append({
            "job": job, "network": name(kwargs["sizes"]), "samples": kwargs["samples"],
            "shots": kwargs["shots"], "keep_bits": kwargs.get("keep_bits", True) if job == "simulate" else None,
            "seconds": m["seconds"], "peak_rss_mib": m["peak_rss_mib"], "peak_traced_mib": m["peak_traced_mib"],
        })
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip the largest runs")
    parser.add_argument("--repeat", type=int, default=None, help="timing repeats (best of)")
    parser.add_argument("--only", nargs="*", default=None,
                        help="sections to run: floor peers compile finetune memory")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"CSV folder (default {RESULTS})")
    args = parser.parse_args(argv)
    out = args.results
    repeat = args.repeat or (3 if args.quick else 10)
    only = set(args.only or ["floor", "peers", "compile", "finetune", "memory"])
    print(f"# bnn2q benchmark\n\nmachine: {machine()}")
    if "floor" in only:
        emit("(1)+(2) simulator vs float32 matmul floor", throughput_vs_floor(repeat), out / "floor.csv")
    if "peers" in only:
        from bench.peers import peers

        emit("(1) simulator vs Braket local and qiskit-aer, per shot", peers(args.quick), out / "peers.csv")
    if "compile" in only:
        from bench.compile_size import compile_sizes

        emit("(3) compile time and program size", compile_sizes(args.quick), out / "compile.csv")
    if "finetune" in only:
        from bench.finetune import finetune_epochs

        emit("(4) fine-tuning epoch vs plain Larq training", finetune_epochs(args.quick), out / "finetune.csv")
    if "memory" in only:
        emit("(5) peak memory (fresh process each)", memory(args.quick), out / "memory.csv")


if __name__ == "__main__":
    main()
