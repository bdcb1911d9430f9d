"""Render the headline table (bnn2q against Larq Compute Engine and Keras, per distinct sample
and per shot) from bench/results/lce.csv as Markdown:

    python bench/headline.py [bench/results/lce.csv]

Ratios are the peer's time over bnn2q's (> 1: bnn2q is faster), wall clock, with CPU time in
parentheses; per-sample and per-shot times are bnn2q's wall time divided by the distinct samples
and by samples × shots."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "results" / "lce.csv"


def render(path: Path = DEFAULT) -> str:
    rows = list(csv.DictReader(open(path)))
    lines = ["| network | samples × shots | τ | bnn2q µs / sample | bnn2q µs / shot | vs LCE (fastest config) "
             "| vs Keras predict | argmax = LCE |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        f = {k: float(v) for k, v in r.items() if k not in ("network", "lce_config", "lce_probe_ms")}
        lines.append(
            f"| {r['network']} | {int(f['samples']):,} × {int(f['shots'])} | {f['tau']:g} "
            f"| {f['bnn2q_us_per_sample']:.1f} | {f['bnn2q_us_per_shot']:.2f} "
            f"| {f['lce_over_bnn2q']:.2f} ({f['lce_over_bnn2q_cpu']:.2f}) {r['lce_config']} "
            f"| {f['keras_over_bnn2q']:.2f} ({f['keras_over_bnn2q_cpu']:.2f}) | {f['agree_lce']:.4f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
