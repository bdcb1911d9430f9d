"""bnn2q benchmark: the built-in simulator against the float32 matmul floor, TensorFlow and its
peers.

    python bench/simulator.py            # full run, tables + CSV in bench/results/
    python bench/simulator.py --quick    # fewer repeats, no 10,000 × 1,000 memory run
    python bench/simulator.py --only floor --results /tmp/r   # one section, CSV elsewhere

Sections: (1)+(2) simulator throughput on both paths (bit-packed, NumPy) and its ratio to the
floor, (2b) the noisy simulator and the ancilla activation against the noiseless rotation
path, (6) convolutional networks against TensorFlow (time and peak memory), (1) peers
(Braket local, qiskit-aer) on the same compiled program, (3) compile time and program size,
(4) fine-tuning epoch time, (5) peak memory. Timings are the best of several interleaved
runs, wall clock and CPU time of the process."""

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
from bench.measure import best_times, peak_memory  # noqa: E402
from bench.networks import DIGITS, FASHION, WIDE, name, random_inputs, random_network  # noqa: E402
from bench.paths import simulate  # noqa: E402
from bench.report import emit  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
#: (network, samples, shots) of the floor targets.
FLOOR_CASES = [(DIGITS, 360, 100), (FASHION, 1000, 100), (WIDE, 200, 100)]
#: (label, simulate keyword arguments)
REGIMES = [
    ("rotation tau=0.5", dict(activation="rotation", quantumness=0.5)),
    ("ancilla g=1.0", dict(activation="ancilla", g=1.0)),
    ("ancilla-reset g=1.0", dict(activation="ancilla-reset", g=1.0)),
    ("classical tau=0", dict(activation="rotation", quantumness=0.0)),
]


def throughput_vs_floor(repeat: int, quick: bool = False) -> list[dict]:
    """Each regime on both paths against the floor; ``floor_over_packed`` is the packed
    path's speed-up over the floor (wall and CPU)."""
    rows = []
    for sizes, samples, shots in FLOOR_CASES[:2] if quick else FLOOR_CASES:
        net = random_network(sizes)
        x = random_inputs(samples, sizes[0])
        fns = {"floor": float32_forward(net, x, shots)}
        for label, kwargs in REGIMES:
            for path in ("packed", "numpy"):
                fns[(label, path)] = lambda kw=kwargs, p=path: simulate(p, net, x, shots=shots, seed=0, **kw)
        for fn in fns.values():  # first calls: numba's start-up, OpenBLAS's buffers
            fn()
        best = best_times(fns, repeat)
        (floor_wall, floor_cpu) = best["floor"]
        for label, _ in REGIMES:
            (pw, pc), (nw, nc) = best[(label, "packed")], best[(label, "numpy")]
            rows.append({
                "network": name(sizes), "samples": samples, "shots": shots, "regime": label,
                "floor_ms": floor_wall * 1e3, "packed_ms": pw * 1e3, "numpy_ms": nw * 1e3,
                "packed_shots_per_s": samples * shots / pw,
                "packed_to_floor": pw / floor_wall, "numpy_to_floor": nw / floor_wall,
                "floor_over_packed": floor_wall / pw,
                "floor_cpu_ms": floor_cpu * 1e3, "packed_cpu_ms": pc * 1e3, "numpy_cpu_ms": nc * 1e3,
                "floor_over_packed_cpu": floor_cpu / pc, "numpy_to_floor_cpu": nc / floor_cpu,
            })
    return rows


#: (label, network kind, simulate keyword arguments); noise is P(0→1) = 0.02, P(1→0) = 0.05
#: on every readout. "paper" networks have real weights (the paper's own networks).
NOISE_REGIMES = [
    ("rotation tau=0.5", dict(activation="rotation", quantumness=0.5)),
    ("rotation tau=0.5 + noise", dict(activation="rotation", quantumness=0.5, noise=True)),
    ("ancilla g=1.0", dict(activation="ancilla", g=1.0)),
    ("ancilla tau=0.5 g=1.0", dict(activation="ancilla", quantumness=0.5, g=1.0)),
    ("ancilla g=1.0 + noise", dict(activation="ancilla", g=1.0, noise=True)),
]
NOISE_CASES = [(DIGITS, 360, 100, False), (FASHION, 1000, 100, False), (WIDE, 200, 100, False),
               (FASHION, 1000, 100, True)]


def noise_and_ancilla(repeat: int, quick: bool = False) -> list[dict]:
    """The noisy simulator and the carried-state (ancilla) network against the noiseless
    rotation path of the same network, on both paths."""
    from bnn2q import activations
    from bnn2q.noise import readout_flips

    rows = []
    for sizes, samples, shots, real in NOISE_CASES[1:2] if quick else NOISE_CASES:
        net = random_network(sizes, real=real)
        x = random_inputs(samples, sizes[0])
        fns = {}
        for label, kwargs in NOISE_REGIMES:
            kw = dict(kwargs)
            if kw.pop("noise", False):
                act = activations.get(kw["activation"], kw.get("quantumness", 0.0), kw.get("g", 1.5707963267948966))
                kw["noise"] = readout_flips(net, act, 0.02, 0.05)
            for path in ("packed", "numpy"):
                fns[(label, path)] = lambda kw=kw, p=path: simulate(p, net, x, shots=shots, seed=0, **kw)
        for fn in fns.values():
            fn()
        best = best_times(fns, repeat)
        base = {path: best[(NOISE_REGIMES[0][0], path)] for path in ("packed", "numpy")}
        for label, _ in NOISE_REGIMES:
            (pw, pc), (nw, nc) = best[(label, "packed")], best[(label, "numpy")]
            rows.append({
                "network": ("paper (real) " if real else "") + name(sizes), "samples": samples, "shots": shots,
                "regime": label, "packed_ms": pw * 1e3, "packed_to_rotation": pw / base["packed"][0],
                "packed_to_rotation_cpu": pc / base["packed"][1], "numpy_ms": nw * 1e3,
                "numpy_to_rotation": nw / base["numpy"][0], "numpy_to_rotation_cpu": nc / base["numpy"][1],
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
                        help="sections to run: floor noise conv mixes peers compile finetune memory")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"CSV folder (default {RESULTS})")
    args = parser.parse_args(argv)
    out = args.results
    repeat = args.repeat or (3 if args.quick else 10)
    only = set(args.only or ["floor", "noise", "conv", "mixes", "peers", "compile", "finetune", "memory"])
    print(f"# bnn2q benchmark\n\nmachine: {machine()}")
    if "floor" in only:
        emit("(1)+(2) simulator (bit-packed and NumPy paths) vs float32 matmul floor",
             throughput_vs_floor(repeat, args.quick), out / "floor.csv")
    if "noise" in only:
        emit("(2b) noisy simulator and ancilla network vs the noiseless rotation path",
             noise_and_ancilla(repeat, args.quick), out / "noise.csv")
    if "conv" in only:
        from bench.conv import conv_memory, conv_vs_tensorflow

        emit("(6) convolutional BNNs vs TensorFlow's float32 forward pass", conv_vs_tensorflow(repeat, args.quick),
             out / "conv.csv")
        emit("(6) convolutional BNNs: peak memory vs TensorFlow (fresh process each)", conv_memory(args.quick),
             out / "conv_memory.csv")
    if "mixes" in only:
        from bench.conv import conv_mixes

        emit("(6b) the 32x32x3 conv net at every samples x shots mix vs TensorFlow's forward pass",
             conv_mixes(repeat, args.quick), out / "conv_mixes.csv")
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
