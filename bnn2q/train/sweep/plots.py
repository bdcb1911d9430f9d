"""PNG plots of a sweep (matplotlib, Agg): error vs quantumness and vs g, one panel per readout,
95% bands over seeds, g_c marked."""

from __future__ import annotations

import math
from pathlib import Path

from .stats import critical_g, curves
from .store import READOUTS
from .summary import knob_name, knob_value


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _panels(rows, knob: str, by: tuple, title: str, xlabel: str, path: Path, transform=lambda v: v,
            n_classes: int | None = None, log_x: bool = False) -> Path | None:
    """One panel per readout with data; one curve (and its 95% band) per group of ``by``."""
    readouts = [(r, what) for r, what in READOUTS if curves(rows, knob, r, by)]
    if not readouts:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(readouts), figsize=(4.6 * len(readouts), 4.0), sharey=True, squeeze=False)
    groups = sorted({tuple(r[k] for k in by) for r in rows})
    colors = plt.get_cmap("tab10")
    for ax, (readout, what) in zip(axes[0], readouts):
        for group, points in curves(rows, knob, readout, by).items():
            color = colors(groups.index(group) % 10)
            x = [transform(p.knob) for p in points]
            y = [p.mean for p in points]
            hw = [0.0 if math.isnan(p.half_width) else p.half_width for p in points]
            n = min(p.n for p in points)
            ax.plot(x, y, "o-", color=color, markersize=3, label=f"{', '.join(group)} ({n} seeds)")
            ax.fill_between(x, [a - b for a, b in zip(y, hw)], [a + b for a, b in zip(y, hw)],
                            color=color, alpha=0.2, linewidth=0)
            if n_classes is not None:
                g_c = critical_g(points, n_classes)
                if g_c is not None:
                    ax.axvline(g_c, color=color, linestyle="--", linewidth=1)
        if n_classes is not None:
            ax.axhline(1.0 - 1.0 / n_classes, color="gray", linestyle=":", linewidth=1, label="chance")
        if log_x:
            ax.set_xscale("log")
        elif _wide(rows, knob, transform):
            positive = sorted({transform(float(r[knob])) for r in rows if float(r[knob]) > 0})
            ax.set_xscale("symlog", linthresh=positive[0])
        ax.set_title(what, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("validation error")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _wide(rows, knob, transform) -> bool:
    positive = sorted({transform(float(r[knob])) for r in rows if float(r[knob]) > 0})
    return len(positive) > 1 and positive[-1] / positive[0] > 20


def plot_quantumness(rows, path: Path, title: str, units: str = "tau") -> Path | None:
    """Validation error vs τ (or a), per training size and surrogate gradient."""
    k = knob_name(units)
    label = f"quantumness {k} (0 = classical)" + (", a = 2τ" if units == "a" else "")
    return _panels(rows, "quantumness", ("train_size", "gradient"), title, label, path,
                   lambda tau: knob_value(tau, units))


def plot_g(rows, path: Path, title: str, n_classes: int) -> Path | None:
    """Validation error vs the ancilla angle g, per training size and activation, g_c marked."""
    gs = sorted({float(r["g"]) for r in rows})
    log_x = bool(gs) and gs[0] > 0 and gs[-1] / gs[0] > 10  # the collapse is at small g
    return _panels(rows, "g", ("train_size", "activation"), title, "ancilla coupling g (π/2 = classical readout)",
                   path, n_classes=n_classes, log_x=log_x)
