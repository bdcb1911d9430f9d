"""A Markdown summary of a sweep: tables of mean error ± 95% CI, the best τ, and g_c."""

from __future__ import annotations

import math

from .stats import critical_g, curves, paired_gain


def _ci(p) -> str:
    hw = "n/a" if math.isnan(p.half_width) else f"{100 * p.half_width:.1f}"
    return f"{100 * p.mean:.1f} ± {hw}"


def summarize(rotation_rows, ancilla_rows, n_classes: int, title: str) -> str:
    """Markdown tables (errors in %, 95% CI over seeds)."""
    lines = [f"## {title}", ""]
    if rotation_rows:
        by_size = curves(rotation_rows, "quantumness")
        taus = sorted({p.knob for pts in by_size.values() for p in pts})
        lines += ["Validation error (%) vs quantumness τ (rotation), mean ± 95% CI over seeds:", "",
                  "| training images | " + " | ".join(f"τ = {t:g}" for t in taus) + " |",
                  "|---|" + "---|" * len(taus)]
        for size, pts in sorted(by_size.items()):
            cells = {p.knob: _ci(p) for p in pts}
            lines.append(f"| {size} | " + " | ".join(cells.get(t, "") for t in taus) + " |")
        lines += ["", "Best τ > 0 against τ = 0, paired over seeds (positive: quantumness helps):", "",
                  "| training images | best τ | error at τ = 0 (%) | at best τ (%) | gain (points, 95% CI) |",
                  "|---|---|---|---|---|"]
        for size, pts in sorted(by_size.items()):
            zero = [p for p in pts if p.knob == 0.0]
            positive = [p for p in pts if p.knob > 0.0]
            if not zero or not positive:
                continue
            best = min(positive, key=lambda p: p.mean)
            size_rows = [r for r in rotation_rows if int(r["train_size"]) == size]
            gain, hw, n = paired_gain(size_rows, best.knob)
            hw_text = "n/a" if math.isnan(hw) else f"{100 * hw:.1f}"
            lines.append(f"| {size} | {best.knob:g} | {_ci(zero[0])} | {_ci(best)} | "
                         f"{100 * gain:+.1f} ± {hw_text} (n = {n}) |")
        lines.append("")
    if ancilla_rows:
        by_size = curves(ancilla_rows, "g")
        gs = sorted({p.knob for pts in by_size.values() for p in pts})
        lines += ["Validation error (%) vs ancilla coupling g, mean ± 95% CI over seeds:", "",
                  "| training images | " + " | ".join(f"g = {g:.3g}" for g in gs) + " | g_c |",
                  "|---|" + "---|" * (len(gs) + 1)]
        for size, pts in sorted(by_size.items()):
            cells = {p.knob: _ci(p) for p in pts}
            g_c = critical_g(pts, n_classes)
            g_text = "none in range" if g_c is None else f"{g_c:.3f}"
            lines.append(f"| {size} | " + " | ".join(cells.get(g, "") for g in gs) + f" | {g_text} |")
        lines.append("")
    return "\n".join(lines)
