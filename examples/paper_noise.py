"""The paper's model under a device's noise: does training at a > 0 degrade less than a = 0?

    python examples/paper_noise.py                      # writes docs/noise/paper-noise.{csv,md,png}
    python examples/paper_noise.py --seeds 3 -o /tmp/pn
    python examples/paper_noise.py --replot             # the plot again from docs/noise's summary CSV

The models are the cells of ``examples/paper_sweeps.sh``'s digits rotation sweep, retrained with
the same seeds (training is seeded, so they are the same models): the paper's real-weight MLP
64-64-64-10 (no bias, no batch-norm), trained from scratch at each a on the 1,437 digits
training images with SGD (lr 0.01, momentum 0.9, batch 64, 10 epochs) and the hard-tanh
estimator. Each is evaluated at its own a on the 360 test images × 100 shots, noiseless and with
the folded noise of FakeTorino, FakeFez and FakeSherbrooke. Per a and device: the error (mean
over seeds, 95% Student-t interval), the degradation noisy − noiseless (paired by seed), and the
degradation's difference from a = 0's (paired by seed): negative means a > 0 degrades less."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from noise_robustness import DEVICES, interval  # noqa: E402

A_VALUES = (0.0, 0.2, 0.5, 1.0, 2.0)
SHOTS = 100
READOUTS = {"averaged logits": "accuracy", "single shot": "shot_accuracy"}


def train(a: float, seed: int):
    from bnn2q.activations import tau_from_a
    from bnn2q.datasets import load_dataset
    from bnn2q.train.finetune import finetune
    from bnn2q.train.sweep.cell import build_model

    data = load_dataset("digits")
    model = build_model("64-64-64-10", data, seed, "paper")
    trained, _ = finetune(model, data.x_train, data.y_train, "rotation", tau_from_a(a), np.pi / 2, epochs=10,
                          batch_size=64, lr=0.01, seed=seed, optimizer="sgd", momentum=0.9, gradient="htanh")
    return trained


def run(seeds: int) -> list[dict]:
    import bnn2q
    from bnn2q.activations import tau_from_a
    from bnn2q.datasets import load_dataset
    from bnn2q.targets.ibm.noise import load

    data = load_dataset("digits")
    noises = {"none": None} | {d: load(d) for d in DEVICES}
    rows = []
    for a in A_VALUES:
        for seed in range(seeds):
            net = bnn2q.load(train(a, seed))
            for device, noise in noises.items():
                sim = bnn2q.simulate(net, data.x_test, quantumness=tau_from_a(a), shots=SHOTS, seed=seed,
                                     noise=noise, keep_bits=False)
                row = {"a": a, "seed": seed, "device": device}
                row.update({readout: 1.0 - getattr(sim, method)(data.y_test) for readout, method in READOUTS.items()})
                rows.append(row)
            print(f"a={a:g} seed={seed}: " + ", ".join(f"{r['device']} {r['averaged logits']:.4f}"
                                                        for r in rows[-len(noises):]), flush=True)
    return rows


def summarize(rows: list[dict], seeds: int) -> list[dict]:
    """Per (readout, a, device): error, degradation, and degradation minus a = 0's, with intervals."""
    error = {(r["a"], r["seed"], r["device"], readout): r[readout] for r in rows for readout in READOUTS}
    out = []
    for readout in READOUTS:
        for a in A_VALUES:
            for device in ("none",) + DEVICES:
                e = [error[a, s, device, readout] for s in range(seeds)]
                row = {"readout": readout, "a": a, "device": device}
                row["error"], row["error_ci95"] = interval(e)
                if device != "none":
                    drop = [error[a, s, device, readout] - error[a, s, "none", readout] for s in range(seeds)]
                    drop0 = [error[0.0, s, device, readout] - error[0.0, s, "none", readout] for s in range(seeds)]
                    row["degradation"], row["degradation_ci95"] = interval(drop)
                    if a:
                        row["vs_a0"], row["vs_a0_ci95"] = interval(np.subtract(drop, drop0))
                out.append(row)
    return out


def write(rows: list[dict], summary: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, table in (("paper-noise.csv", rows), ("paper-noise-summary.csv", summary)):
        cols = list(dict.fromkeys(k for r in table for k in r))
        with open(out / name, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols, restval="")
            w.writeheader()
            w.writerows(table)
    pct = lambda v, h: f"{100 * v:.2f} ± {100 * h:.2f}"  # noqa: E731
    lines = ["| readout | a | device | error (%) | degradation (pts) | degradation − a = 0's (pts) |",
             "|---|---|---|---|---|---|"]
    for r in summary:
        lines.append(f"| {r['readout']} | {r['a']:g} | {r['device']} | {pct(r['error'], r['error_ci95'])} | "
                     f"{pct(r['degradation'], r['degradation_ci95']) if 'degradation' in r else '—'} | "
                     f"{pct(r['vs_a0'], r['vs_a0_ci95']) if 'vs_a0' in r else '—'} |")
    (out / "paper-noise.md").write_text("\n".join(lines) + "\n")
    plot(summary, out / "paper-noise.png")


def plot(summary: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(READOUTS), figsize=(11, 4.2), sharey=True)
    for ax, readout in zip(axes, READOUTS):
        for device in ("none",) + DEVICES:
            cell = [r for r in summary if r["readout"] == readout and r["device"] == device]
            ax.errorbar([r["a"] for r in cell], [100 * r["error"] for r in cell],
                        yerr=[100 * r["error_ci95"] for r in cell], marker="o", markersize=4, capsize=3,
                        label="noiseless" if device == "none" else device)
        ax.set_title(f"{readout} ({SHOTS} shots)")
        ax.set_xlabel("a (the paper's quantumness, = 2τ), trained and evaluated at a")
        ax.grid(alpha=0.3)
    axes[0].set_ylim(bottom=0)
    axes[0].set_ylabel("test error (%)")
    from matplotlib.lines import Line2D

    bar = Line2D([], [], color="gray", marker="|", markersize=12, linestyle="none")
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].legend(handles + [bar], labels + ["bars: 95% interval over seeds"], fontsize=8)
    fig.suptitle("the paper's MLP 64-64-64-10 on digits: error under device noise")
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def replot(out: Path) -> Path:
    """The plot again from ``out/paper-noise-summary.csv`` (no training)."""
    with open(out / "paper-noise-summary.csv", newline="") as f:
        summary = [{**r, "a": float(r["a"]), "error": float(r["error"]), "error_ci95": float(r["error_ci95"])}
                   for r in csv.DictReader(f)]
    plot(summary, out / "paper-noise.png")
    return out / "paper-noise.png"


def main(argv=None) -> None:
    from bnn2q.cli import quiet_native_stderr

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="training seeds per a (default 5)")
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/noise"), help="(default docs/noise)")
    parser.add_argument("--replot", action="store_true", help="only redraw the plot from the output's summary CSV")
    args = parser.parse_args(argv)
    if args.replot:
        print(f"wrote {replot(args.output)}")
        return
    quiet_native_stderr()
    rows = run(args.seeds)
    write(rows, summarize(rows, args.seeds), args.output)
    print(f"wrote {args.output}/paper-noise.csv, -summary.csv, .md and .png")


if __name__ == "__main__":
    main()
