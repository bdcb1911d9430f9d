"""Print a benchmark table and write it as CSV."""

from __future__ import annotations

import csv
from pathlib import Path


def emit(title: str, rows: list[dict], csv_path: Path | None) -> None:
    print(f"\n## {title}\n")
    if not rows:
        print("(nothing measured)")
        return
    cols = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_fmt(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(v.rjust(w) for v, w in zip(row, widths)) + " |")
    if csv_path is not None:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        with open(csv_path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=cols, restval="")
            writer.writeheader()
            writer.writerows(rows)


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) >= 1e5:
            return f"{v:.3g}"
        if abs(v) >= 100:
            return f"{v:.0f}"
        if abs(v) >= 1:
            return f"{v:.2f}"
        return f"{v:.3g}"
    return str(v)
