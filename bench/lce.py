"""bnn2q against Larq Compute Engine 0.16 and Keras ``predict``: many distinct samples, few shots.

    make bench-lce                                   # builds .venv-lce, then runs this
    .venv/bin/python bench/lce.py [--rounds 3] [--only dense wide conv alexnet] [--quick]

The same ``.h5`` models (Larq, random weights, batch-norm statistics spread so signs go both
ways) and the same inputs on every side. LCE runs in a subprocess of its own environment
(``bench/lce_worker.py`` in ``.venv-lce``: TensorFlow 2.16, tf_keras), converted with
``lce.convert_keras_model`` at a fixed batch, its ``Interpreter`` with 2 threads in each of its
configurations (indirect BGEMM on/off × XNNPack on/off); the fastest on the workload is timed.
Keras ``predict`` (TensorFlow 2.21, batch 1,024) runs in a subprocess too, so that no peer's
thread pools spin beside the simulator. A peer computes one forward pass per
shot (samples × shots rows, as the TensorFlow comparison in bench/conv.py); bnn2q (its packed
path, which ``auto`` takes once numba is loaded) samples ``shots`` outcomes of each distinct
sample (``keep_bits=False``: logits only, as the peers).
Rounds are interleaved (bnn2q τ = 0, bnn2q τ = 0.5, the GEMM, LCE, Keras in turn); the best wall time
and the best process-CPU time of each are kept. ``agree`` is the fraction of distinct samples on
which LCE's argmax equals bnn2q's τ = 0 prediction (and Keras' the same). ``gemm_ms`` is the
first layer alone as one float32 BLAS GEMM over the distinct samples (the per-sample limit)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LCE_PYTHON = ROOT / ".venv-lce" / "bin" / "python"
RESULTS = Path(__file__).resolve().parent / "results"
TAUS = (0.0, 0.5)
SHOTS = (1, 15)


def _spread(model, seed: int = 0):
    from bench.conv_nets import _spread as spread

    return spread(model, seed)


def dense_model(hidden):
    from bnn2q.train.models import dense_bnn

    model = dense_bnn((784,), list(hidden), 10, seed=0)
    rng = np.random.default_rng(0)
    for layer in model.layers:  # batch-norm of the sums' scale: units fire both ways
        if type(layer).__name__ == "BatchNormalization":
            n = layer.moving_mean.shape[0]
            layer.moving_mean.assign(rng.normal(0, 1, n).astype(np.float32))
            layer.moving_variance.assign(np.full(n, 784.0 / 3, dtype=np.float32))
    return model, (784,)


def _models():
    from bench.conv_nets import binary_alexnet, cifar_like

    # name → (make, distinct samples at 1 shot, at 15 shots, LCE batch)
    return {
        "dense": ("784-256-256-10", lambda: dense_model((256, 256)), 10_000, 2_000, 10_000),
        "wide": ("784-1024-1024-1024-10", lambda: dense_model((1024, 1024, 1024)), 10_000, 1_000, 2_000),
        "conv": ("32x32x3 conv 64/128/256", cifar_like, 1_000, 100, 500),
        "alexnet": ("BinaryAlexNet 64x64x3", binary_alexnet, 100, 10, 50),
    }


class PeerWorker:
    """A peer's subprocess (bench/lce_worker.py): one JSON command per line."""

    def __init__(self, python=LCE_PYTHON):
        env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="2")
        self.proc = subprocess.Popen([str(python), str(ROOT / "bench" / "lce_worker.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)

    def ask(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the LCE worker stopped (see its stderr above)")
        return json.loads(line)

    def close(self) -> None:
        try:
            self.ask(op="quit")
        except (RuntimeError, BrokenPipeError):
            pass
        self.proc.wait(timeout=30)


def _first_layer_gemm(net, x):
    """The first layer as one float32 GEMM over the distinct samples (weights prepared)."""
    from bnn2q.ir import Conv2D, Dense
    from bnn2q.ir.network import ENCODER

    first = next(s.op for s in net.stage(ENCODER) if isinstance(s.op, (Dense, Conv2D)))
    x32 = x.reshape(len(x), -1).astype(np.float32)
    if isinstance(first, Dense):
        w = np.ascontiguousarray(first.weight.T, dtype=np.float32)
        return lambda: x32 @ w
    from bnn2q.host.kernels import Kernels

    kernels = Kernels()
    xs = x.astype(np.float32).reshape((len(x),) + first.in_shape)
    return lambda: kernels.run(first, [xs], [first.in_shape], first.shape_out)


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def compare(key: str, rounds: int, quick: bool, tmp: Path) -> list[dict]:
    import bnn2q
    from bench.paths import simulate

    label, make, n1, n15, batch = _models()[key]
    if quick:
        n1, n15, batch = max(1, n1 // 10), max(1, n15 // 10), max(1, batch // 10)
    model, shape = make()
    path = tmp / f"{key}.h5"
    model.save(path)
    net = bnn2q.load(str(path))
    worker, keras = PeerWorker(), PeerWorker(sys.executable)
    rows = []
    try:
        worker.ask(op="load", model=str(path), batch=batch, engine="lce")
        for shots, n in ((1, n1), (15, n15)):
            x = np.random.default_rng(1).uniform(-1, 1, size=(n,) + tuple(shape)).astype(np.float32)
            peer_rows = np.repeat(x, shots, axis=0)
            xpath = tmp / "x.npy"
            np.save(xpath, peer_rows)
            # Probe LCE's configurations (the first run of each warms it up), keep the fastest.
            probe = {}
            for config in ("bgemm", "indirect-bgemm", "bgemm+xnnpack", "indirect-bgemm+xnnpack"):
                worker.ask(op="run", x=str(xpath), config=config)
                probe[config] = worker.ask(op="run", x=str(xpath), config=config)["wall"]
            best_config = min(probe, key=probe.get)
            keras.ask(op="load", model=str(path), batch=min(len(peer_rows), 1024), engine="keras")
            keras.ask(op="run", x=str(xpath), config="predict")
            fns = {f"bnn2q tau={tau}": (lambda tau=tau: simulate("packed", net, x, quantumness=tau, shots=shots,
                                                                    seed=0, keep_bits=False)) for tau in TAUS}
            fns["gemm"] = _first_layer_gemm(net, x)
            for fn in fns.values():
                fn()
            best = {name: [np.inf, np.inf] for name in list(fns) + ["lce", "keras"]}
            outputs = {}
            for _ in range(rounds):
                for name, fn in fns.items():
                    outputs[name], wall, cpu = _timed(fn)
                    best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
                for peer, (proc, config) in {"lce": (worker, best_config), "keras": (keras, "predict")}.items():
                    reply = proc.ask(op="run", x=str(xpath), config=config, out=str(tmp / f"{peer}.npy"))
                    best[peer] = [min(best[peer][0], reply["wall"]), min(best[peer][1], reply["cpu"])]
            lce_pred = np.load(tmp / "lce.npy")[::shots].argmax(axis=1)
            keras_pred = np.load(tmp / "keras.npy")[::shots].argmax(axis=1)
            ours = outputs["bnn2q tau=0.0"].predictions
            for tau in TAUS:
                wall, cpu = best[f"bnn2q tau={tau}"]
                rows.append({
                    "network": label, "samples": n, "shots": shots, "tau": tau,
                    "bnn2q_ms": wall * 1e3, "bnn2q_cpu_ms": cpu * 1e3,
                    "lce_ms": best["lce"][0] * 1e3, "lce_cpu_ms": best["lce"][1] * 1e3, "lce_config": best_config,
                    "keras_ms": best["keras"][0] * 1e3, "keras_cpu_ms": best["keras"][1] * 1e3,
                    "lce_over_bnn2q": best["lce"][0] / wall, "lce_over_bnn2q_cpu": best["lce"][1] / cpu,
                    "keras_over_bnn2q": best["keras"][0] / wall, "keras_over_bnn2q_cpu": best["keras"][1] / cpu,
                    "bnn2q_us_per_sample": wall / n * 1e6, "bnn2q_us_per_shot": wall / (n * shots) * 1e6,
                    "lce_us_per_sample": best["lce"][0] / n * 1e6,
                    "gemm_ms": best["gemm"][0] * 1e3, "gemm_fraction": best["gemm"][0] / wall,
                    "agree_lce": float(np.mean(lce_pred == ours)), "agree_keras": float(np.mean(keras_pred == ours)),
                    "lce_probe_ms": json.dumps({k: round(v * 1e3, 1) for k, v in probe.items()}),
                })
            print(json.dumps(rows[-2:], indent=None)[:400], flush=True)
    finally:
        worker.close()
        keras.close()
    return rows


def main(argv=None) -> None:
    from bench.report import emit
    from bench.simulator import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=["dense", "wide", "conv", "alexnet"])
    parser.add_argument("--quick", action="store_true", help="a tenth of the samples")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not LCE_PYTHON.exists():
        sys.exit("bench/lce.py: needs .venv-lce (make lce, or make bench-lce)")
    load = os.getloadavg()
    print(f"# bnn2q vs Larq Compute Engine 0.16\n\nmachine: {machine()}; load average {load[0]:.1f}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.only:  # the CSV is rewritten after each network: a long run keeps what it measured
            rows += compare(key, args.rounds, args.quick, Path(tmp))
            emit("bnn2q vs LCE and Keras predict (ratio = peer time / bnn2q time, > 1: bnn2q faster)", rows,
                 args.results / "lce.csv")
    (args.results / "lce_conditions.json").write_text(json.dumps({
        "machine": machine(), "load_average_start": load, "load_average_end": os.getloadavg(),
        "rounds": args.rounds, "command": "python bench/lce.py " + " ".join(argv or sys.argv[1:]),
    }, indent=1) + "\n")


if __name__ == "__main__":
    main()
