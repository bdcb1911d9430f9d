"""PNG plots of a sweep (matplotlib, Agg): validation error (%) vs quantumness and vs g, one panel
per readout; every mark is in the legend — curves (with their seed counts), 95% bands over seeds,
g_c, chance."""

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


def _save(fig, path: Path) -> Path | None:
    if fig is None:
        return None
    fig.savefig(path, dpi=110, metadata={"Software": None})
    _pyplot().close(fig)
    return path


def _panels(rows, knob: str, by: tuple, title: str, xlabel: str, transform=lambda v: v,
            n_classes: int | None = None, log_x: bool = False, legend_at: str = "best"):
    """The figure (None without data): one panel per readout with data; one curve per group of
    ``by``, each with its 95% band over seeds (clipped to [0, 100]%), g_c and chance as labelled
    lines."""
    readouts = [(r, what) for r, what in READOUTS if curves(rows, knob, r, by)]
    if not readouts:
        return None
    plt = _pyplot()
    from matplotlib.patches import Patch

    fig, axes = plt.subplots(1, len(readouts), figsize=(4.8 * len(readouts), 4.0), sharey=True, squeeze=False)
    groups = sorted({tuple(r[k] for k in by) for r in rows}, key=_numeric_first)
    colors = plt.get_cmap("tab10")
    banded = False
    for ax, (readout, what) in zip(axes[0], readouts):
        for group, points in curves(rows, knob, readout, by).items():
            color = colors(groups.index(group) % 10)
            x = [transform(p.knob) for p in points]
            y = [100 * p.mean for p in points]
            hw = [0.0 if math.isnan(p.half_width) else 100 * p.half_width for p in points]
            n = min(p.n for p in points)
            ax.plot(x, y, "o-", color=color, markersize=3, label=f"{group_label(by, group)} ({seeds(n)})")
            if any(hw):
                banded = True
                ax.fill_between(x, [max(0.0, a - b) for a, b in zip(y, hw)],
                                [min(100.0, a + b) for a, b in zip(y, hw)], color=color, alpha=0.2, linewidth=0)
            if n_classes is not None:
                g_c = critical_g(points, n_classes)
                if g_c is not None:
                    ax.axvline(g_c, color=color, linestyle="--", linewidth=1,
                               label=f"g_c = {g_c:.3g} ({group_label(by, group)})")
        if n_classes is not None:
            ax.axhline(100 * (1.0 - 1.0 / n_classes), color="gray", linestyle=":", linewidth=1,
                       label=f"chance ({100 * (1.0 - 1.0 / n_classes):.0f}% error)")
        if log_x:
            ax.set_xscale("log")
        elif _wide(rows, knob, transform):
            positive = sorted({transform(float(r[knob])) for r in rows if float(r[knob]) > 0})
            ax.set_xscale("symlog", linthresh=positive[0])
        ax.set_title(what, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylim(bottom=0)  # after every panel's data: the axes share their y range
    axes[0][0].set_ylabel("validation error (%)")
    handles, labels = [], []
    for h, lab in zip(*axes[0][0].get_legend_handles_labels()):
        if not lab.startswith("g_c"):
            handles.append(h)
            labels.append(lab)
    if banded:
        handles.append(Patch(color="gray", alpha=0.2, linewidth=0))
        labels.append("band: 95% interval of the mean over seeds")
    for ax in axes[0]:  # each panel's own g_c lines, in its corner
        own = [(h, lab) for h, lab in zip(*ax.get_legend_handles_labels()) if lab.startswith("g_c")]
        if own:
            ax.legend(*zip(*own), fontsize=7, loc=legend_at)
    columns = min(3, len(labels))
    lines = math.ceil(len(labels) / columns)
    width, height = fig.get_size_inches()
    below = 0.2 * lines + 0.1  # inches of legend under the panels
    fig.set_size_inches(width, height + below)
    fig.legend(handles, labels, fontsize=7.5, loc="lower center", ncol=columns, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, below / (height + below), 1, 1))
    return fig


def group_label(by: tuple, group: tuple) -> str:
    """("500", "ancilla") → "500 images, ancilla"."""
    return ", ".join(f"{v} images" if k == "train_size" else str(v) for k, v in zip(by, group))


def _numeric_first(group: tuple) -> tuple:
    out = []
    for v in group:
        try:
            out.append((0, float(v), ""))
        except ValueError:
            out.append((1, 0.0, str(v)))
    return tuple(out)


def seeds(n: int) -> str:
    return f"{n} seed" if n == 1 else f"{n} seeds"


def _wide(rows, knob, transform) -> bool:
    positive = sorted({transform(float(r[knob])) for r in rows if float(r[knob]) > 0})
    return len(positive) > 1 and positive[-1] / positive[0] > 20


def quantumness_figure(rows, title: str, units: str = "tau"):
    """Validation error vs τ (or a), per training size and surrogate gradient (None: no rows)."""
    k = knob_name(units)
    label = f"quantumness {k} (0 = classical)" + (", a = 2τ" if units == "a" else "")
    return _panels(rows, "quantumness", ("train_size", "gradient"), title, label, lambda tau: knob_value(tau, units))


def g_figure(rows, title: str, n_classes: int):
    """Validation error vs the ancilla angle g, per training size and activation, g_c marked."""
    gs = sorted({float(r["g"]) for r in rows})
    log_x = bool(gs) and gs[0] > 0 and gs[-1] / gs[0] > 10  # the collapse is at small g
    return _panels(rows, "g", ("train_size", "activation"), title, "ancilla coupling g (π/2 = classical readout)",
                   n_classes=n_classes, log_x=log_x, legend_at="lower left")  # error falls with g: room there


def plot_quantumness(rows, path: Path, title: str, units: str = "tau") -> Path | None:
    """``quantumness_figure`` as a PNG at ``path`` (None: no rows)."""
    return _save(quantumness_figure(rows, title, units), path)


def plot_g(rows, path: Path, title: str, n_classes: int) -> Path | None:
    """``g_figure`` as a PNG at ``path`` (None: no rows)."""
    return _save(g_figure(rows, title, n_classes), path)
