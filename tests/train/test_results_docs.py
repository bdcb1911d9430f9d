"""The committed sweeps behind docs/results.md: CSV and plots for both datasets, g_c located."""

from __future__ import annotations

from pathlib import Path

import pytest

from bnn2q.train.sweep.stats import critical_g, curves
from bnn2q.train.sweep.store import read_rows

SWEEPS = Path(__file__).resolve().parents[2] / "docs" / "sweeps"


@pytest.mark.parametrize("stem", ["digits", "fashion-mnist"])
def test_committed_sweep_has_rows_plots_and_a_critical_angle(stem):
    rows = read_rows(SWEEPS / f"{stem}-sweep.csv")
    rotation = [r for r in rows if r["activation"] == "rotation"]
    ancilla = [r for r in rows if r["activation"] == "ancilla-reset"]
    assert len({r["quantumness"] for r in rotation}) >= 5 and len({r["seed"] for r in rotation}) >= 3
    for plot in ("error-vs-quantumness", "error-vs-g"):
        assert (SWEEPS / f"{stem}-{plot}.png").read_bytes()[:4] == b"\x89PNG"
    for size, points in curves(ancilla, "g").items():
        g_c = critical_g(points, 10)
        gs = [p.knob for p in points]
        assert g_c is not None and min(gs) < g_c < max(gs), f"{stem}, {size} images"
        # a collapse, not a drift: chance-level-ish error below g_c, near the best above it
        assert max(p.mean for p in points if p.knob < g_c) > 0.5
        assert min(p.mean for p in points if p.knob > 2 * g_c) < 0.35
