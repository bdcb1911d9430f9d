"""PNG plots of a sweep (matplotlib, Agg): error vs τ and error vs g with g_c marked."""

from __future__ import annotations

import math
from pathlib import Path

from .stats import critical_g, curves


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _draw(ax, curve_by_size, color_of):
    for size, points in sorted(curve_by_size.items()):
        x = [p.knob for p in points]
        y = [p.mean for p in points]
        hw = [0.0 if math.isnan(p.half_width) else p.half_width for p in points]
        n = min(p.n for p in points)
        ax.plot(x, y, "o-", color=color_of(size), label=f"{size} training images ({n} seeds)")
        ax.fill_between(x, [a - b for a, b in zip(y, hw)], [a + b for a, b in zip(y, hw)],
                        color=color_of(size), alpha=0.2, linewidth=0)


def _figure(by_size):
    """A figure with one error curve (and its 95% band) per training size."""
    plt = _pyplot()
    colors = plt.get_cmap("tab10")
    sizes = sorted(by_size)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))

    def color_of(size):
        return colors(sizes.index(size))

    _draw(ax, by_size, color_of)
    return plt, fig, ax, color_of


def _save(plt, fig, ax, path: Path, title: str) -> Path:
    ax.set_ylabel("validation error (shot-averaged logits)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_quantumness(rows, path: Path, title: str) -> Path | None:
    """Validation error vs τ, one curve per training size, 95% band over seeds."""
    by_size = curves(rows, "quantumness")
    if not by_size:
        return None
    plt, fig, ax, color_of = _figure(by_size)
    taus = sorted({p.knob for pts in by_size.values() for p in pts})
    positive = [t for t in taus if t > 0]
    if positive and len(positive) > 1 and positive[-1] / positive[0] > 20:
        ax.set_xscale("symlog", linthresh=positive[0])
    ax.set_xlabel("quantumness τ (0 = classical)")
    return _save(plt, fig, ax, path, title)


def plot_g(rows, path: Path, title: str, n_classes: int) -> Path | None:
    """Validation error vs the ancilla angle g, g_c marked per training size."""
    by_size = curves(rows, "g")
    if not by_size:
        return None
    plt, fig, ax, color_of = _figure(by_size)
    gs = sorted({p.knob for pts in by_size.values() for p in pts})
    if gs[0] > 0 and gs[-1] / gs[0] > 10:
        ax.set_xscale("log")  # the collapse happens at small g: give it room
    for size, points in by_size.items():
        g_c = critical_g(points, n_classes)
        if g_c is not None:
            ax.axvline(g_c, color=color_of(size), linestyle="--", linewidth=1)
            ax.annotate(f"g_c ≈ {g_c:.2f}", (g_c, 1.0 - 1.0 / n_classes), rotation=90,
                        xytext=(3, -4), textcoords="offset points", va="top", fontsize=8,
                        color=color_of(size))
    ax.axhline(1.0 - 1.0 / n_classes, color="gray", linestyle=":", linewidth=1, label="chance")
    ax.set_xlabel("ancilla coupling g (π/2 = classical readout)")
    return _save(plt, fig, ax, path, title)
