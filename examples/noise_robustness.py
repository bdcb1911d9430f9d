"""Accuracy vs quantumness under three IBM devices' noise: is moderate quantumness more robust?

    python examples/noise_robustness.py                 # writes docs/noise/ (CSV, table, plot)
    python examples/noise_robustness.py --seeds 3 -o /tmp/noise
    python examples/noise_robustness.py --replot        # the plot again from docs/noise's CSV

Models (digits, 64-64-32-10): the classically trained ``build/digits_bnn.h5`` (trained here if
missing), the same fine-tuned at τ = 0.5 (rotation) and fine-tuned with the ancilla activation
at g = 1.0. Each is evaluated with the built-in simulator on all 360 test images × 100 shots,
noiseless and with the folded noise of FakeTorino (Heron r1, CZ), FakeFez (Heron r2, CZ) and
FakeSherbrooke (Eagle r3, ECR), over a τ grid (rotation) and a g grid (ancilla), ``--seeds``
simulator seeds per cell. Reported per cell: accuracy (mean over seeds, 95% Student-t interval
over seeds, and the 95% Wilson half-width of an accuracy on 360 images), and the drop
noiseless − noisy paired by seed (mean and 95% interval). One process, no workers."""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import bnn2q  # noqa: E402
from bnn2q.datasets import load_dataset  # noqa: E402
from train_digits import DEFAULT_OUT, train  # noqa: E402

DEVICES = ("fake_torino", "fake_fez", "fake_sherbrooke")
TAUS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
GS = (math.pi / 2, 1.3, 1.1, 0.9, 0.7, 0.5)
SHOTS = 100


def models(build: Path) -> dict:
    """{label: (path, activation)}: classical, τ-trained (rotation), g-trained (ancilla)."""
    from bnn2q.train.finetune import finetune, save_model_atomic
    from bnn2q.train.keras_io import load_keras_model

    classical = Path(DEFAULT_OUT)
    if not classical.exists():
        train(str(classical))
    data = load_dataset("digits")
    out = {"classical": classical}
    for label, knobs in (("tau-trained (τ = 0.5)", dict(activation="rotation", quantumness=0.5)),
                         ("g-trained (g = 1.0)", dict(activation="ancilla", g=1.0))):
        path = build / f"digits_{knobs['activation']}_{knobs.get('quantumness', knobs.get('g'))}.h5"
        if not path.exists():
            print(f"fine-tuning {label} -> {path}", flush=True)
            tuned, _ = finetune(load_keras_model(classical), data.x_train, data.y_train, epochs=20, lr=3e-3,
                                **knobs)
            save_model_atomic(tuned, path)
        out[label] = path
    return out


def interval(values) -> tuple[float, float]:
    """Mean and 95% Student-t half-width over seeds."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return float(v.mean()), float("nan")
    return float(v.mean()), float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))


def wilson_half_width(p: float, n: int) -> float:
    z = 1.959964
    return z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)


def run(seeds: int, out: Path, build: Path) -> list[dict]:
    from bnn2q.targets.ibm.noise import load

    data = load_dataset("digits")
    x, y = data.x_test, data.y_test
    rows = []
    paths = models(build)
    noises = {"none": None} | {d: load(d) for d in DEVICES}
    grids = [("rotation", "quantumness", TAUS, ("classical", "tau-trained (τ = 0.5)")),
             ("ancilla", "g", GS, ("classical", "g-trained (g = 1.0)"))]
    for activation, knob, grid, labels in grids:
        for label in labels:
            net = bnn2q.load(paths[label])
            for value in grid:
                clean = None
                for device, noise in noises.items():
                    acc = [bnn2q.simulate(net, x, activation=activation, shots=SHOTS, seed=s, noise=noise,
                                          **{knob: value}).accuracy(y) for s in range(seeds)]
                    mean, half = interval(acc)
                    row = {"activation": activation, "model": label, "knob": knob, "value": round(value, 4),
                           "device": device, "accuracy": mean, "ci95_seeds": half,
                           "wilson95": wilson_half_width(mean, len(y)), "seeds": seeds}
                    if device == "none":
                        clean = acc
                    else:
                        row["drop"], row["drop_ci95"] = interval(np.array(clean) - np.array(acc))
                    rows.append(row)
                    print(f"{activation:8} {label:22} {knob}={value:.3g} {device:16} {mean:.4f} ± {half:.4f}",
                          flush=True)
    return rows


def write(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with open(out / "noise-robustness.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, restval="")
        w.writeheader()
        w.writerows(rows)
    plot(rows, out / "noise-robustness.png")


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharey="row")
    panels = [("rotation", "classical"), ("rotation", "tau-trained (τ = 0.5)"),
              ("ancilla", "classical"), ("ancilla", "g-trained (g = 1.0)")]
    for ax, (activation, label) in zip(axes.flat, panels):
        for device in ("none",) + DEVICES:
            cell = [r for r in rows if r["activation"] == activation and r["model"] == label and r["device"] == device]
            xs = [r["value"] for r in cell]
            ax.errorbar(xs, [100 * r["accuracy"] for r in cell], yerr=[100 * r["ci95_seeds"] for r in cell],
                        marker="o", markersize=4, capsize=3, label="noiseless" if device == "none" else device)
        ax.set_title(f"{activation}, {label}")
        ax.set_xlabel("quantumness τ (0 = classical)" if activation == "rotation" else
                      "ancilla coupling g (π/2 = classical readout)")
        if activation == "ancilla":
            ax.invert_xaxis()
        ax.set_ylabel("test accuracy (%)")
        ax.grid(alpha=0.3)
    from matplotlib.lines import Line2D

    bar = Line2D([], [], color="gray", marker="|", markersize=12, linestyle="none")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    axes[0, 0].legend(handles + [bar], labels + ["bars: 95% interval over seeds"], fontsize=8)
    fig.suptitle("digits 64-64-32-10, 360 test images × 100 shots: accuracy vs quantumness under device noise")
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def replot(out: Path) -> Path:
    """The plot again from ``out/noise-robustness.csv`` (no model runs)."""
    with open(out / "noise-robustness.csv", newline="") as f:
        rows = [{**r, "value": float(r["value"]), "accuracy": float(r["accuracy"]),
                 "ci95_seeds": float(r["ci95_seeds"])} for r in csv.DictReader(f)]
    plot(rows, out / "noise-robustness.png")
    return out / "noise-robustness.png"


def main(argv=None) -> None:
    from bnn2q.cli import quiet_native_stderr

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="simulator seeds per cell (default 5)")
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/noise"), help="(default docs/noise)")
    parser.add_argument("--build", type=Path, default=Path("build"), help="where models are kept (default build)")
    parser.add_argument("--replot", action="store_true", help="only redraw the plot from the output's CSV")
    args = parser.parse_args(argv)
    if args.replot:
        print(f"wrote {replot(args.output)}")
        return
    quiet_native_stderr()
    args.build.mkdir(parents=True, exist_ok=True)
    write(run(args.seeds, args.output, args.build), args.output)
    print(f"wrote {args.output}/noise-robustness.csv and .png")


if __name__ == "__main__":
    main()
