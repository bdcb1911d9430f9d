"""larq-zoo's twelve architectures through bnn2q: the README's table, regenerated.

    python bench/zoo.py                      # all models, CSV in bench/results/zoo.csv, plot in docs/zoo/
    python bench/zoo.py --models QuickNetSmall,DoReFaNet --results /tmp/r

Each model runs alone in a fresh process (``--one``): larq-zoo builds it at its smallest input
(``tests/frontends/zoo.py``: random weights, re-drawn batch-norm statistics, 20 inputs), Keras
predicts, then bnn2q reads the live Keras model and its tf2onnx export and simulates both at the
classical limit (predictions equal to ``predict`` on k of 20, or the one-line refusal). For the
model bnn2q reads (Keras, else the export) it times ``bnn2q.load`` and a 20 × 10-shot simulation
at τ = 0.5 (wall and CPU seconds, one run each) and their peak resident memory above what the
process held before the call (VmHWM after resetting it). MeliusNet22 and Real-to-Binary Net also
run as ``… (TF ops)``: larq-zoo's factory with its Python Lambdas written as TensorFlow ops."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import emit  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PLOT = ROOT / "docs" / "zoo" / "zoo-times.png"
SHOTS, QUANTUMNESS = 10, 0.5


def one(name: str, tf_ops: bool) -> dict:
    """Measure one model (runs in its own process)."""
    import numpy as np

    import bnn2q
    from bench.jobs import _peak_rss_kib, _rss_kib
    from bnn2q.errors import Bnn2qError
    from tests.frontends.conftest import to_onnx
    from tests.frontends.zoo import MODELS, build

    model, x = build(name, tf_ops=tf_ops)
    expected = model.predict(x, verbose=0).argmax(axis=1)
    row = {"model": name + (" (TF ops)" if tf_ops else ""), "input": "×".join(map(str, MODELS[name][1]))}
    measured = None
    for frontend, source in (("keras", lambda: model), ("onnx", lambda: to_onnx(model))):
        src = source()
        before, wall, cpu = _rss_kib(), time.perf_counter(), time.process_time()
        try:
            net = bnn2q.load(src)
        except Bnn2qError as exc:
            row[frontend] = f"refused: {exc}"
            continue
        load = (time.perf_counter() - wall, time.process_time() - cpu, (_peak_rss_kib() - before) / 1024)
        predictions = bnn2q.simulate(net, x, shots=1).predictions
        row[frontend] = f"{int((predictions == expected).sum())}/{len(x)}"
        if measured is None:
            before, wall, cpu = _rss_kib(), time.perf_counter(), time.process_time()
            bnn2q.simulate(net, x, quantumness=QUANTUMNESS, shots=SHOTS, seed=0)
            sim = (time.perf_counter() - wall, time.process_time() - cpu, (_peak_rss_kib() - before) / 1024)
            measured = frontend
            row.update(hidden_layers=len(net.hidden), neurons=int(net.n_neurons), measured_on=frontend,
                       load_s=load[0], load_cpu_s=load[1], load_mib=load[2], sim_s=sim[0], sim_cpu_s=sim[1],
                       sim_mib=sim[2])
    row["classes_predicted"] = len(set(np.asarray(expected).tolist()))
    return row


def _run_one(name: str, tf_ops: bool, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", name] + (["--tf-ops"] if tf_ops else [])
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"model": name, "keras": f"timed out after {timeout:.0f} s"}
    if out.returncode != 0:
        lines = [ln for ln in out.stderr.strip().splitlines() if "cuda" not in ln.lower() and ln.strip()]
        return {"model": name, "keras": f"error (exit {out.returncode}): " + (lines or ["?"])[-1][:200]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows if "load_s" in r]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(rows) + 1.2))
    ys = range(len(rows))
    ax.barh([y - 0.2 for y in ys], [r["load_s"] for r in rows], height=0.4, label="bnn2q.load")
    ax.barh([y + 0.2 for y in ys], [r["sim_s"] for r in rows], height=0.4,
            label=f"simulate 20 × {SHOTS} shots, τ = {QUANTUMNESS}")
    ax.set_yticks(list(ys), [r["model"] for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("seconds (wall, one run, shared 2-core machine)")
    ax.legend(loc="lower right")
    ax.set_title("larq-zoo architectures in bnn2q")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv=None) -> None:
    from tests.frontends.zoo import MODELS, TF_OP_VARIANTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated larq-zoo names (default: all)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per model")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--tf-ops", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args.tf_ops)))
        return
    names = args.models.split(",") if args.models else list(MODELS)
    rows = []
    for name in names:
        for tf_ops in (False, True) if name in TF_OP_VARIANTS else (False,):
            rows.append(_run_one(name, tf_ops, args.timeout))
            print(f"{rows[-1]['model']}: keras {rows[-1].get('keras')}, onnx {rows[-1].get('onnx')}", flush=True)
    emit("larq-zoo through bnn2q (20 inputs; load and a 20 × 10-shot simulation at τ = 0.5)", rows,
         args.results / "zoo.csv")
    if args.results == RESULTS:
        _plot(rows, PLOT)


if __name__ == "__main__":
    main()
