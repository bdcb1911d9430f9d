"""A sweep's plots and summary from its rows — after a run, or again from a committed CSV
(``replot``: the images the docs show, redrawn with today's plotting code, no retraining)."""

from __future__ import annotations

from pathlib import Path

from .plots import plot_g, plot_quantumness
from .store import read_rows
from .summary import summarize


def title_of(row: dict, dataset_name: str) -> str:
    """The plots' title, from any row of the sweep (the settings every row shares)."""
    return (f"{dataset_name}, {row['family']} {Path(row['architecture']).name}, {row['optimizer']}, "
            f"{row['epochs']} epochs, {row['shots']} shots (vote {row['vote']})")


def write_report(rows: list, paths: dict, title: str, n_classes: int, units: str = "tau"):
    """(plots written, summary path): error vs quantumness (rotation rows), vs g (the others, at
    their smallest neuron τ), and the markdown summary."""
    rotation = [r for r in rows if r["activation"] == "rotation"]
    ancilla = [r for r in rows if r["activation"] != "rotation"]
    if ancilla:  # one curve per size and activation along g: keep the smallest neuron τ
        tau = min(float(r["quantumness"]) for r in ancilla)
        ancilla = [r for r in ancilla if float(r["quantumness"]) == tau]
    made = [
        plot_quantumness(rotation, paths["quantumness"], title + ", rotation", units),
        plot_g(ancilla, paths["g"], title, n_classes),
    ]
    paths["summary"].write_text(summarize(rotation, ancilla, n_classes, title, units) + "\n")
    return [p for p in made if p is not None], paths["summary"]


def replot(csv_path, units: str = "tau", n_classes: int = 10) -> list:
    """Redraw the plots and summary next to a sweep's CSV (``STEM-sweep.csv``); the paths written."""
    csv_path = Path(csv_path)
    rows = read_rows(csv_path)
    stem = csv_path.name.removesuffix("-sweep.csv")
    folder = csv_path.parent
    paths = {"quantumness": folder / f"{stem}-error-vs-quantumness.png", "g": folder / f"{stem}-error-vs-g.png",
             "summary": folder / f"{stem}-summary.md"}
    names = {"digits": "digits", "fashion-mnist": "fashion-mnist"}
    plots, summary = write_report(rows, paths, title_of(rows[0], names.get(rows[0]["dataset"], stem)),
                                  n_classes, units)
    return plots + [summary]
