"""Summaries of sweep rows: means with confidence intervals over seeds, and the critical g_c.

For n seeds with errors e_i the interval is mean ± t_{0.975, n−1} · s / √n (Student t, 95%).

g_c (ancilla): with ē(g) the mean error at g, e_best = min_g ē(g) and e_chance = 1 − 1/K
(K classes), g_c is where ē crosses the midpoint (e_best + e_chance)/2, scanning down from the
largest g and interpolating linearly between the two measured g around the crossing — the angle
below which learning has lost half of its margin over chance."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Point:
    """Mean validation error over seeds at one setting, with its 95% half-width."""

    knob: float
    mean: float
    half_width: float
    n: int
    shot_mean: float


def confidence_half_width(values) -> float:
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float("nan")
    from scipy.stats import t

    return float(t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))


def curves(rows, knob: str) -> dict[int, list[Point]]:
    """Per training size, the error curve along ``knob`` (``quantumness`` or ``g``)."""
    groups = defaultdict(list)
    for row in rows:
        groups[(int(row["train_size"]), float(row[knob]))].append(row)
    out = defaultdict(list)
    for (size, value), members in sorted(groups.items()):
        errors = [float(r["val_error"]) for r in members]
        shots = [float(r["val_shot_error"]) for r in members]
        out[size].append(Point(value, float(np.mean(errors)), confidence_half_width(errors),
                               len(errors), float(np.mean(shots))))
    return dict(out)


def paired_gain(rows, best_tau: float) -> tuple[float, float, int]:
    """Mean (error at τ = 0) − (error at best_tau) over seeds run at both, with its 95% half-width."""
    by_seed = defaultdict(dict)
    for row in rows:
        by_seed[row["seed"]][float(row["quantumness"])] = float(row["val_error"])
    diffs = [e[0.0] - e[best_tau] for e in by_seed.values() if 0.0 in e and best_tau in e]
    if not diffs:
        return float("nan"), float("nan"), 0
    return float(np.mean(diffs)), confidence_half_width(diffs), len(diffs)


def critical_g(points: list[Point], n_classes: int) -> float | None:
    """g_c as defined above, or None when the error never rises past the midpoint."""
    pts = sorted(points, key=lambda p: p.knob, reverse=True)
    if len(pts) < 2:
        return None
    chance = 1.0 - 1.0 / n_classes
    mid = (min(p.mean for p in pts) + chance) / 2
    for hi, lo in zip(pts, pts[1:]):
        if hi.mean <= mid < lo.mean:
            frac = (mid - hi.mean) / (lo.mean - hi.mean)
            return hi.knob + frac * (lo.knob - hi.knob)
    return None
