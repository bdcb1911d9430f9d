"""Summaries of sweep rows: means with confidence intervals over seeds, paired gains, the
critical g_c and a fitted width of the collapse below it.

For n seeds with errors e_i the interval is mean ± t_{0.975, n−1} · s / √n (Student t, 95%).

g_c (ancilla): with ē(g) the mean error at g, e_best = min_g ē(g) and e_chance = 1 − 1/K
(K classes), g_c is where ē crosses the midpoint (e_best + e_chance)/2, scanning down from the
largest g and interpolating linearly between the two measured g around the crossing — the angle
below which learning has lost half of its margin over chance.

Transition fit: e(g) = e_low + (e_high − e_low) · σ((ln g_mid − ln g)/w), least squares over
every seed's points, e_high ≤ e_chance fitted too (a network may keep some accuracy below the
collapse); w (in units of ln g) is the width of the collapse: a sharper collapse has a smaller
w. Intervals come from refitting on seeds resampled with replacement (bootstrap)."""

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


def confidence_half_width(values) -> float:
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float("nan")
    from scipy.stats import t

    return float(t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))


def errors(row: dict, readout: str) -> float | None:
    value = row.get(readout, "")
    return float(value) if value not in ("", None) else None


def curves(rows, knob: str, readout: str = "val_error", by=("train_size",)) -> dict[tuple, list[Point]]:
    """Per group (the values of ``by``), the error curve along ``knob`` (``quantumness`` or ``g``)."""
    groups = defaultdict(list)
    for row in rows:
        e = errors(row, readout)
        if e is not None:
            groups[(tuple(row[k] for k in by), float(row[knob]))].append(e)
    out = defaultdict(list)
    for (group, value), errs in sorted(groups.items(), key=lambda kv: (_sort_key(kv[0][0]), kv[0][1])):
        out[group].append(Point(value, float(np.mean(errs)), confidence_half_width(errs), len(errs)))
    return dict(out)


def _sort_key(group: tuple) -> tuple:
    return tuple((0, float(v)) if _is_number(v) else (1, v) for v in group)


def _is_number(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def paired_gain(rows, best: float, readout: str = "val_error") -> tuple[float, float, int]:
    """Mean (error at τ = 0) − (error at ``best``) over seeds run at both, with its 95% half-width."""
    by_seed = defaultdict(dict)
    for row in rows:
        e = errors(row, readout)
        if e is not None:
            by_seed[row["seed"]][float(row["quantumness"])] = e
    diffs = [e[0.0] - e[best] for e in by_seed.values() if 0.0 in e and best in e]
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


@dataclass(frozen=True)
class Transition:
    """The fitted collapse: its midpoint g_mid, width w and plateau e_high below it, with 95%
    bootstrap intervals."""

    g_mid: float
    width: float
    high: float
    g_mid_interval: tuple[float, float]
    width_interval: tuple[float, float]
    high_interval: tuple[float, float]
    seeds: int


def _fit(points: list[tuple[float, float]], chance: float):
    """(ln g_mid, w, e_low, e_high) by least squares, or None."""
    from scipy.optimize import curve_fit

    x = np.log([g for g, _ in points])
    e = np.array([v for _, v in points])

    def model(x, x_c, w, low, high):
        return low + (high - low) / (1.0 + np.exp(-(x_c - x) / w))

    lo, hi = x.min(), x.max()
    try:
        params, _ = curve_fit(model, x, e, p0=[(lo + hi) / 2, 0.3, max(0.0, e.min()), min(chance, e.max())],
                              bounds=([lo - 1, 1e-3, 0.0, 0.0], [hi + 1, 5.0, chance, chance]), maxfev=20000)
    except (RuntimeError, ValueError):
        return None
    return params


def transition(rows, n_classes: int, readout: str = "val_error", resamples: int = 400,
               seed: int = 0) -> Transition | None:
    """Fit the collapse of error vs g over the seeds in ``rows`` (see the module docstring)."""
    chance = 1.0 - 1.0 / n_classes
    by_seed = defaultdict(list)
    for row in rows:
        e = errors(row, readout)
        if e is not None and float(row["g"]) > 0:
            by_seed[row["seed"]].append((float(row["g"]), e))
    seeds = sorted(by_seed)
    if len(seeds) < 2:
        return None
    full = _fit([p for s in seeds for p in by_seed[s]], chance)
    if full is None:
        return None
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        pick = rng.choice(len(seeds), size=len(seeds), replace=True)
        fit = _fit([p for k in pick for p in by_seed[seeds[k]]], chance)
        if fit is not None:
            draws.append(fit)
    if len(draws) < resamples // 2:
        return None
    draws = np.array(draws)
    interval = lambda v: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5)))  # noqa: E731
    return Transition(float(np.exp(full[0])), float(full[1]), float(full[3]), tuple(np.exp(interval(draws[:, 0]))),
                      interval(draws[:, 1]), interval(draws[:, 3]), len(seeds))


def width_difference(rows_a, rows_b, n_classes: int, readout: str = "val_error", resamples: int = 400,
                     seed: int = 0) -> tuple[float, tuple[float, float], int] | None:
    """w_a − w_b with a 95% bootstrap interval, resampling the seeds both were run with."""
    chance = 1.0 - 1.0 / n_classes
    per = []
    for rows in (rows_a, rows_b):
        by_seed = defaultdict(list)
        for row in rows:
            e = errors(row, readout)
            if e is not None and float(row["g"]) > 0:
                by_seed[row["seed"]].append((float(row["g"]), e))
        per.append(by_seed)
    seeds = sorted(set(per[0]) & set(per[1]))
    if len(seeds) < 2:
        return None
    fits = [_fit([p for s in seeds for p in by[s]], chance) for by in per]
    if any(f is None for f in fits):
        return None
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(resamples):
        pick = rng.choice(len(seeds), size=len(seeds), replace=True)
        f = [_fit([p for k in pick for p in by[seeds[k]]], chance) for by in per]
        if f[0] is not None and f[1] is not None:
            diffs.append(f[0][1] - f[1][1])
    if len(diffs) < resamples // 2:
        return None
    return (float(fits[0][1] - fits[1][1]), (float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))),
            len(seeds))
