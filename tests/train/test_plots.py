"""Sweep plots say what every mark is: curves with their seed counts ("1 seed"), the 95% band
(never below zero error), g_c lines and chance in the legend, the y axis in % as the tables; and
the images the docs show are what today's code draws from the committed CSVs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bnn2q.train.sweep.plots import g_figure, quantumness_figure
from bnn2q.train.sweep.store import read_rows

DOCS = Path(__file__).resolve().parents[2] / "docs"
SWEEPS = DOCS / "sweeps"


def labels(fig) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def test_every_mark_of_the_g_plot_is_in_a_legend():
    rows = [r for r in read_rows(SWEEPS / "digits-sweep.csv") if r["activation"] != "rotation"]
    fig = g_figure(rows, "digits", 10)
    text = labels(fig)
    assert any(t.startswith("g_c = ") for t in text) and "chance (90% error)" in text
    assert "band: 95% interval of the mean over seeds" in text
    assert any(t.endswith("(4 seeds)") for t in text)
    for ax in fig.axes:  # every g_c line of every panel is in that panel's legend
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        own = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
        assert len([t for t in own if t.startswith("g_c")]) == len(dashed)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "validation error (%)" and ax.get_ylim()[0] == 0
    for band in ax.collections:  # the bands, in %, never below zero error
        ys = [y for path in band.get_paths() for _, y in path.vertices]
        assert min(ys) >= 0 and max(ys) <= 100


def test_one_seed_is_one_seed_and_draws_no_band():
    rows = [r for r in read_rows(SWEEPS / "digits-sweep.csv") if r["activation"] == "rotation" and r["seed"] == "0"]
    fig = quantumness_figure(rows, "digits")
    text = labels(fig)
    assert text and all("(1 seed)" in t for t in text) and not any("band" in t for t in text)
    assert not fig.axes[0].collections


@pytest.mark.parametrize("csv", sorted(SWEEPS.rglob("*-sweep.csv")), ids=lambda p: p.parent.name + "/" + p.name)
def test_the_docs_images_are_todays_plots_of_the_committed_csvs(csv, tmp_path):
    """Redrawn from the CSV (docs/replot.py), each image has the committed one's size: the docs
    do not show an older layout (the pixels themselves vary with fonts across machines)."""
    from PIL import Image

    from bnn2q.train.sweep.report import replot

    (tmp_path / csv.name).write_bytes(csv.read_bytes())
    for path in replot(tmp_path / csv.name, "a" if csv.parent.name.startswith("paper-") else "tau"):
        if path.suffix == ".png":
            with Image.open(path) as new, Image.open(csv.parent / path.name) as committed:
                assert new.size == committed.size, path.name
