"""Redraw every image the docs show from the committed results, with today's plotting code (no
training, no simulation): the sweeps in docs/sweeps/ and the device-noise plots in docs/noise/.

    .venv/bin/python docs/replot.py          # part of `make docs`
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

#: Sweep folders run with the paper's knob (--a): their quantumness axis is a = 2τ.
PAPER_UNITS = "paper-"


def main() -> None:
    from bnn2q.train.sweep.report import replot

    for csv in sorted((ROOT / "docs" / "sweeps").rglob("*-sweep.csv")):
        units = "a" if csv.parent.name.startswith(PAPER_UNITS) else "tau"
        for path in replot(csv, units):
            print(f"wrote {path.relative_to(ROOT)}")
    import noise_robustness
    import paper_noise

    for module in (noise_robustness, paper_noise):
        print(f"wrote {module.replot(ROOT / 'docs' / 'noise').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
