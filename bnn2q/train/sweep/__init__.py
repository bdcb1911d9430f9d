"""Quantumness sweeps: train a grid of cells quantum-aware, evaluate them with the simulator,
record one CSV row per finished cell (resumable), and plot error vs τ and vs g."""

from .grid import Cell, SweepConfig
from .runner import SweepOutcome, run_sweep

__all__ = ["Cell", "SweepConfig", "SweepOutcome", "run_sweep"]
