"""bnn2q benchmark: the paper's digits ancilla sweep on a local Ray runtime of 1 and of 2 workers.

    python bench/ray_sweep.py              # reduced grid (see GRID), 1 round per worker count
    python bench/ray_sweep.py --rounds 2   # interleaved: 1, 2, 1, 2 workers
    python bench/ray_sweep.py --gs 0.01,0.02,0.03,0.05,0.07,0.1,0.14,0.2,0.3,0.45,0.7,1,pi/2 --seeds 5
                                           # the full grid of examples/paper_sweeps.sh (130 cells)

Each run starts a fresh local runtime (``ray.init(num_cpus=W)``, timed apart), sweeps into a new
folder, and records: the sweep's wall time, the cells' own time (the CSV's train + eval seconds,
summed), and the CPU time of every process of the runtime (raylet, workers: /proc). Cells are
independent, so on N machines of c CPUs the expected wall time is about
ceil(cells / (N·c)) × (one cell's time) + the runtime's start; the table prints that estimate."""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bnn2q import ray_runtime  # noqa: E402
from bnn2q.train.sweep import SweepConfig, run_sweep  # noqa: E402
from bnn2q.train.sweep.store import read_rows  # noqa: E402
from bnn2q.commands.sweep import parse_list  # noqa: E402

#: examples/paper_sweeps.sh's digits ancilla sweep (2 hidden layers), reduced to 4 g values × 1 seed.
GRID = dict(dataset="digits", architecture="64-64-64-10", family="paper", optimizer="sgd", lr=1e-2,
            gradients=("htanh",), activations=("ancilla", "ancilla-reset"), train_sizes=(1437,),
            epochs=10, shots=15, vote=15)


def _runtime_cpu_seconds() -> float:
    """utime + stime of every descendant of this process (the runtime's raylet and workers)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {p for p, (ppid, _) in parents.items() if ppid in frontier} - found
        found |= frontier
    return sum(parents[p][1] for p in found) / os.sysconf("SC_CLK_TCK")


def one_run(config: SweepConfig, workers: int) -> dict:
    import ray

    start = time.perf_counter()
    # Started here (run_sweep joins it), with more tries than ``--ray local`` makes: on a busy
    # machine Ray's agents often miss the raylet's fixed 15 s start-up window.
    ray_runtime.init(ray, attempts=10, address="local", num_cpus=workers, include_dashboard=False,
                     log_to_driver=False)
    try:
        started = time.perf_counter()
        load = os.getloadavg()[0]
        out = Path(tempfile.mkdtemp(prefix=f"bnn2q-bench-ray{workers}-"))
        process_cpu = time.process_time()
        outcome = run_sweep(config, out, ray_address="local", progress=False)
        wall = time.perf_counter() - started
        cpu = _runtime_cpu_seconds()
    finally:
        ray.shutdown()
    rows = read_rows(out / "digits-sweep.csv")
    assert outcome.ran == len(rows) == len(config.cells()) and not outcome.failed
    return dict(workers=workers, start=started - start, wall=wall, cells=len(rows),
                cell_seconds=sum(float(r["train_seconds"]) + float(r["eval_seconds"]) for r in rows),
                runtime_cpu=cpu, driver_cpu=time.process_time() - process_cpu,
                load=(load + os.getloadavg()[0]) / 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gs", default="0.05,0.2,0.45,pi/2", help="ancilla angles g (default: 4 of the 13)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=10, help="(the paper's 10)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    config = SweepConfig(**dict(GRID, epochs=args.epochs), gs=parse_list(args.gs, "--gs"),
                         seeds=tuple(range(args.seeds)))
    counts = [int(w) for w in args.workers.split(",")]
    print(f"digits ancilla sweep, {len(config.cells())} cells (64-64-64-10 paper MLP, 1,437 images, SGD, "
          f"{args.epochs} epochs, 15 shots); {os.cpu_count()} CPUs; rounds interleaved: {args.rounds}", flush=True)
    runs = []
    for _ in range(args.rounds):
        for w in counts:
            runs.append(one_run(config, w))
            r = runs[-1]  # each run as it ends, so a later failure (Ray not starting) loses nothing
            print(f"  ran {w} worker(s): {r['wall']:.1f} s wall, {r['cells']} × "
                  f"{r['cell_seconds'] / r['cells']:.1f} s cells, runtime CPU {r['runtime_cpu']:.1f} s, "
                  f"start {r['start']:.1f} s, load {r['load']:.1f}", file=sys.stderr, flush=True)
    best = {w: min((r for r in runs if r["workers"] == w), key=lambda r: r["wall"]) for w in counts}
    base = best[counts[0]]["wall"]
    print("| Ray workers | sweep wall (s) | speed-up | runtime start (s) | cells × cell time (s) | "
          "runtime CPU (s) | load avg |")
    print("|---|---|---|---|---|---|---|")
    for w in counts:
        r = best[w]
        print(f"| {w} | {r['wall']:.1f} | {base / r['wall']:.2f}× | {r['start']:.1f} | {r['cells']} × "
              f"{r['cell_seconds'] / r['cells']:.1f} | {r['runtime_cpu']:.1f} | {r['load']:.1f} |")
    cell = best[counts[0]]["cell_seconds"] / best[counts[0]]["cells"]
    full = 130
    print(f"\nscaling assumption: cells are independent, so N machines of c CPUs take about "
          f"ceil(cells / (N·c)) × one cell + the runtime's start; for the full {full}-cell sweep at "
          f"{cell:.1f} s a cell: " + ", ".join(
              f"N·c = {nc}: {math.ceil(full / nc) * cell / 60:.1f} min" for nc in (1, 2, 16, 64, 130)))


if __name__ == "__main__":
    main()
