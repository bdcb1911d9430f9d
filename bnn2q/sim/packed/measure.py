"""The sampler's side of the packed kernels: one call per hidden layer and block, its rows
split across threads (``fire`` holds the math)."""

from __future__ import annotations

import numpy as np

from .fire import fire_given, fire_given_collapse, fire_sign_steps, fire_signs, fire_sums, measure_state
from .jit import split_rows
from .layout import Layout

_NO_WORDS = np.zeros((1, 1), np.uint32)
_NO_FLOATS = np.zeros((1, 1), np.float32)
_NO_BITS = np.zeros((1, 1), np.uint8)
_NO_INTS = np.zeros((1, 1), np.int32)
_NO_BASE = np.zeros(1, np.int64)
_NO_NOISE = np.zeros(1, np.float64)


def _layout_args(layout: Layout | None) -> tuple:
    return (0, 0, 0) if layout is None else (layout.groups, layout.bits, layout.words)


def fire_table(z, table, words, bits, packed, layout) -> None:
    """Thresholds from ``table`` = (entries, base, shift) at the sums z (entry of neuron j at
    ``base_j + (z >> shift)``): bits [rows, width] and packed bits."""
    entries, base, shift = table
    split_rows(fire_sums, bits.shape[0], bits.shape[1], z, base, shift, entries,
               _NO_WORDS if words is None else words, words is not None, bits, packed, *_layout_args(layout))


def fire_steps(z, steps, words, bits, packed, layout) -> None:
    """A layer at τ = 0 from its sums z and ``fused.SignSteps``: bits and packed bits."""
    split_rows(fire_sign_steps, bits.shape[0], bits.shape[1], z, steps.lo, steps.hi, steps.pair,
               _NO_WORDS if words is None else words, words is not None, bits, packed, *_layout_args(layout))


def fire_rows(thresholds, rep, words, bits, packed, layout) -> None:
    """Thresholds given per row, ``thresholds[r // rep]``: bits and packed bits."""
    split_rows(fire_given, bits.shape[0], bits.shape[1], thresholds, rep,
               _NO_WORDS if words is None else words, words is not None, bits, packed, *_layout_args(layout))


def fire_rows_signs(sigma, pair, rep, words, bits, packed, layout) -> None:
    """A layer given by its signs σ (bool [R, width]) and the thresholds of σ = 0 and σ = 1
    (``pair`` [2, width]): no [R, width] array of thresholds."""
    split_rows(fire_signs, bits.shape[0], bits.shape[1], sigma.view(np.uint8), pair, rep,
               _NO_WORDS if words is None else words, words is not None, bits, packed, *_layout_args(layout))


def fire_rows_collapse(thresholds, after, rep, words, bits, packed, layout, carry) -> None:
    """Fresh neuron qubits: thresholds given per row, and the states each outcome leaves
    (``after`` [R, 4, width]) written to the carried state."""
    split_rows(fire_given_collapse, bits.shape[0], bits.shape[1], thresholds, np.ascontiguousarray(after, np.float32),
               rep, words, bits, packed, *_layout_args(layout), carry.c0, carry.c1)
    carry.last = bits


class Carry:
    """The ancilla activation's carried neuron states over one block's rows (float32 c₀, c₁,
    [rows, widest layer]) and the previous layer's bits (its last outcomes)."""

    def __init__(self, act, widest: int):
        self.act, self.widest = act, widest
        self.kraus_pairs = act.kraus()
        self.kraus = np.array(self.kraus_pairs, dtype=np.float32)
        self.c0 = self.c1 = None
        self.last = _NO_BITS

    def reset(self, c0: np.ndarray, c1: np.ndarray) -> None:
        self.c0, self.c1, self.last = c0, c1, _NO_BITS

    @property
    def fresh(self) -> bool:
        """Whether no layer has been measured yet (every neuron qubit is |0⟩)."""
        return self.last is _NO_BITS


def measure_angles(angles, words, bits, packed, layout, carry: Carry | None, fidelity: float,
                   projective: bool, noise) -> None:
    """Outcomes from half angles (cos θ/2, sin θ/2): ``angles`` is (z, table) with table =
    (pairs [entries, 2], base, shift) as in ``fire_table``, or (pairs given per row [R, width,
    2], rep), float32; ``carry`` the carried state (None: no memory); ``noise`` a NeuronNoise
    or None."""
    if len(angles) == 2 and isinstance(angles[1], tuple):
        z, (halves, base, shift) = angles
        halves, rep = halves[None], 0
    else:
        halves, rep = angles
        z, base, shift = _NO_INTS, _NO_BASE, 0
    memory = carry is not None
    if noise is not None:
        alpha, beta, gamma = noise.alpha, noise.beta, noise.gamma
    else:
        alpha = beta = gamma = _NO_NOISE
    c0 = carry.c0 if memory else _NO_FLOATS
    c1 = carry.c1 if memory else _NO_FLOATS
    last = carry.last if memory else _NO_BITS
    carried = last.shape[1] if memory and last is not _NO_BITS else 0
    kraus = carry.kraus if memory else np.ones((2, 2), np.float32)
    f = 1.0 if projective else fidelity
    split_rows(measure_state, bits.shape[0], bits.shape[1], z, base, shift, halves, rep, words, bits, packed,
               *_layout_args(layout), memory, c0, c1, last, carried, f, memory and not projective, kraus,
               noise is not None, alpha, beta, gamma)
    if memory:
        carry.last = bits
