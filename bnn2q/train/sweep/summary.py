"""A Markdown summary of a sweep: error tables (mean ± 95% CI over seeds) per readout, the best
quantumness against the classical network (paired over seeds), g_c and the width of the collapse."""

from __future__ import annotations

import math

from .stats import critical_g, curves, paired_gain, transition, width_difference
from .store import READOUTS


def _ci(p) -> str:
    hw = "n/a" if math.isnan(p.half_width) else f"{100 * p.half_width:.1f}"
    return f"{100 * p.mean:.1f} ± {hw}"


def knob_name(units: str) -> str:
    return "a" if units == "a" else "τ"


def knob_value(tau: float, units: str) -> float:
    return 2.0 * tau if units == "a" else tau


def _label(group: tuple) -> str:
    return ", ".join(str(v) for v in group)


def _error_table(title: str, by_group: dict, knob_header: str, knob_text, last=None) -> list[str]:
    """A Markdown table of mean ± 95% CI per group (rows) and knob value (columns), with an
    optional last column ``last(points)``."""
    knobs = sorted({p.knob for pts in by_group.values() for p in pts})
    tail = [last[0]] if last else []
    lines = [title, "", f"| {knob_header} | " + " | ".join([knob_text(v) for v in knobs] + tail) + " |",
             "|---|" + "---|" * (len(knobs) + len(tail))]
    for group, pts in by_group.items():
        cells = {p.knob: _ci(p) for p in pts}
        extra = [last[1](pts)] if last else []
        lines.append(f"| {_label(group)} | " + " | ".join([cells.get(v, "") for v in knobs] + extra) + " |")
    return lines


def summarize(rotation_rows, ancilla_rows, n_classes: int, title: str, units: str = "tau") -> str:
    """Markdown tables (errors in %, 95% CI over seeds)."""
    lines = [f"## {title}", ""]
    k = knob_name(units)
    by = ("train_size", "gradient")
    for readout, what in READOUTS:
        by_group = curves(rotation_rows, "quantumness", readout, by)
        if not by_group:
            continue
        lines += _error_table(f"Validation error (%) vs {k} (rotation), {what}, mean ± 95% CI over seeds:",
                              by_group, "training images, gradient", lambda t: f"{k} = {knob_value(t, units):g}")
        lines += ["", f"Best {k} > 0 against {k} = 0, {what}, paired over seeds (positive: quantumness helps):", "",
                  f"| training images, gradient | best {k} | error at {k} = 0 (%) | at best {k} (%) | gain (points, 95% CI) |",
                  "|---|---|---|---|---|"]
        for group, pts in by_group.items():
            zero = [p for p in pts if p.knob == 0.0]
            positive = [p for p in pts if p.knob > 0.0]
            if not zero or not positive:
                continue
            best = min(positive, key=lambda p: p.mean)
            rows = [r for r in rotation_rows if tuple(r[f] for f in by) == group]
            gain, hw, n = paired_gain(rows, best.knob, readout)
            hw_text = "n/a" if math.isnan(hw) else f"{100 * hw:.1f}"
            lines.append(f"| {_label(group)} | {knob_value(best.knob, units):g} | {_ci(zero[0])} | "
                         f"{_ci(best)} | {100 * gain:+.1f} ± {hw_text} (n = {n}) |")
        lines.append("")
    if ancilla_rows:
        lines += _ancilla(ancilla_rows, n_classes)
    return "\n".join(lines)


def _ancilla(rows, n_classes: int) -> list[str]:
    lines = []
    by = ("train_size", "activation")
    for readout, what in READOUTS:
        by_group = curves(rows, "g", readout, by)
        if not by_group:
            continue
        g_c = lambda pts: "none in range" if critical_g(pts, n_classes) is None else f"{critical_g(pts, n_classes):.3f}"  # noqa: E731
        lines += _error_table(f"Validation error (%) vs ancilla coupling g, {what}, mean ± 95% CI over seeds:",
                              by_group, "training images, activation", lambda g: f"g = {g:.3g}", ("g_c", g_c))
        lines.append("")
    lines += ["The collapse fitted per curve (shot-averaged logits): e(g) = e_low + (e_high − e_low) · "
              "σ((ln g_mid − ln g)/w), 95% bootstrap intervals over seeds:", "",
              "| training images, activation | g_mid | width w (ln g) | plateau e_high (%) | seeds |",
              "|---|---|---|---|---|"]
    groups = sorted({(r["train_size"], r["activation"]) for r in rows}, key=lambda t: (int(t[0]), t[1]))
    for size, activation in groups:
        fit = transition([r for r in rows if (r["train_size"], r["activation"]) == (size, activation)], n_classes)
        if fit is None:
            lines.append(f"| {size}, {activation} | no fit | | | |")
            continue
        lines.append(f"| {size}, {activation} | {fit.g_mid:.3f} [{fit.g_mid_interval[0]:.3f}, {fit.g_mid_interval[1]:.3f}] | "
                     f"{fit.width:.3f} [{fit.width_interval[0]:.3f}, {fit.width_interval[1]:.3f}] | "
                     f"{100 * fit.high:.1f} [{100 * fit.high_interval[0]:.1f}, {100 * fit.high_interval[1]:.1f}] | "
                     f"{fit.seeds} |")
    sizes = sorted({r["train_size"] for r in rows}, key=int)
    pairs = []
    for size in sizes:
        mem = [r for r in rows if r["train_size"] == size and r["activation"] == "ancilla"]
        reset = [r for r in rows if r["train_size"] == size and r["activation"] == "ancilla-reset"]
        diff = width_difference(mem, reset, n_classes) if mem and reset else None
        if diff is not None:
            pairs.append(f"| {size} | {diff[0]:+.3f} [{diff[1][0]:+.3f}, {diff[1][1]:+.3f}] | {diff[2]} |")
    if pairs:
        lines += ["", "Width with memory minus without (ancilla − ancilla-reset), paired bootstrap over "
                  "seeds (negative: memory sharpens the collapse):", "",
                  "| training images | w_ancilla − w_reset (95% CI) | seeds |", "|---|---|---|"] + pairs
    lines.append("")
    return lines
