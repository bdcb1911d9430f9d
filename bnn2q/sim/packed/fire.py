"""Measuring a hidden layer on the bit-packed path: each row's outcome laws, its bits, and
the bits packed for the layers that read them — one pass per row, no arrays in between.

The law of neuron j in row r is read from a table at ``base[j] + z[r, j]`` (z its integer sum,
as in ``fused``) or given per row (``given[r // rep, j]``: a layer whose u comes from the host,
one row per sample shared by ``rep`` shots). The math is ``neurons``' (the NumPy path, which
the tests hold this to), in the same float32 operations:

- thresholds: the bit fires when its 24-bit word is below T (``thresholds``);
- half angles (cos θ/2, sin θ/2), for the ancilla activation's carried state and for noise:
      rotate    (c₀, c₁) ← R_y(θ − π r)(c₀, c₁)     (fresh |0⟩, r = 0 where the qubit is new)
      law       P(1) = (1 − f)/2 + f c₁²                 (noiseless; f = 1 when projective)
                P(1) = α + β (c₀² − c₁²) + γ · 2 c₀ c₁   (noise: cos φ, sin φ of the state)
      collapse  (c₀, c₁) ← (k₀ c₀, k₁ c₁) / norm        ((k₀, k₁) the diagonal of M_bit)
  Without memory the state is just (cos θ/2, sin θ/2), with cos θ = 1 − 2 sin²(θ/2) and
  sin θ = 2 sin(θ/2) cos(θ/2) for the noise law.

No fastmath: the operations and their rounding are NumPy's, so both paths compute the same
thresholds (bit for bit at the same words)."""

from __future__ import annotations

import math

import numpy as np

from ..thresholds import ALWAYS
from .jit import njit
from .layout import pack_row

_SCALE = np.float32(ALWAYS)


@njit(inline="always")
def quantize(p):
    """⌈float32(p) · 2²⁴⌉ (``thresholds.quantize``), 0 for p ≤ 0."""
    p32 = np.float32(p)
    if p32 <= 0:
        return np.uint32(0)
    return np.uint32(math.ceil(p32 * _SCALE))


@njit(inline="always")
def _fire(r, t, words, has_words, bits):
    """bit = word < T (``neurons.fire``); with no words (certain outcomes) bit = [T = 2²⁴]."""
    for j in range(bits.shape[1]):
        w = words[r, j] if has_words else np.uint32(ALWAYS - 1)
        bits[r, j] = w < t[j]


@njit
def fire_sums(r0, r1, z, base, table, words, has_words, bits, packed, groups, group_bits, group_words):
    """Rows r0 ≤ r < r1: T_j = table[base_j + z[r, j]], bits, packed bits."""
    width = bits.shape[1]
    t = np.empty(width, np.uint32)
    for r in range(r0, r1):
        for j in range(width):
            t[j] = table[np.uint64(base[j] + z[r, j])]
        _fire(r, t, words, has_words, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)


@njit
def fire_given(r0, r1, given, rep, words, has_words, bits, packed, groups, group_bits, group_words):
    """Rows r0 ≤ r < r1: T = given[r // rep], bits, packed bits."""
    for r in range(r0, r1):
        _fire(r, given[r // rep], words, has_words, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)


@njit
def measure_state(r0, r1, z, base, cos_t, sin_t, rep, words, bits, packed, groups, group_bits,
                  group_words, memory, c0, c1, last, carried, f, collapse, kraus, noisy, alpha, beta, gamma):
    """Rows r0 ≤ r < r1 by half angles: from the tables ``cos_t[0, base_j + z[r, j]]`` when
    ``rep`` is 0, else given, ``cos_t[r // rep, j]``.

    memory: carry the state (c₀, c₁ [rows, ≥ width] float32, in place; ``last`` [rows,
    ≥ ``carried``] the previous layer's bits, its qubits the first ``carried`` neurons); f: the
    readout's sin g (1 when projective); collapse: apply M_bit (``kraus``: float32 [(k₀, k₁)
    of M_0, of M_1]); noisy: P(1) = α + β cos φ + γ sin φ with float64 α, β, γ per neuron."""
    width = bits.shape[1]
    t = np.empty(width, np.uint32)
    zero, one, two = np.float32(0.0), np.float32(1.0), np.float32(2.0)
    f32 = np.float32(f)
    half_f = np.float32((1.0 - f) / 2.0)
    for r in range(r0, r1):
        for j in range(width):
            if rep == 0:
                k = np.uint64(base[j] + z[r, j])
                ch, sh = cos_t[0, k], sin_t[0, k]
            else:
                ch, sh = cos_t[r // rep, j], sin_t[r // rep, j]
            if not memory:
                cos_theta = one - two * (sh * sh)
                sin_theta = two * sh * ch
                t[j] = quantize(alpha[j] + beta[j] * np.float64(cos_theta) + gamma[j] * np.float64(sin_theta))
                continue
            a0, a1 = one, zero
            if j < carried:
                a0, a1 = c0[r, j], c1[r, j]
                if last[r, j]:
                    ch, sh = sh, -ch
            n0 = a0 * ch - a1 * sh
            n1 = a0 * sh + a1 * ch
            c0[r, j], c1[r, j] = n0, n1
            if noisy:
                t[j] = quantize(alpha[j] + beta[j] * np.float64(n0 * n0 - n1 * n1) + gamma[j] * np.float64(two * n0 * n1))
            elif f32 == one:
                t[j] = quantize(n1 * n1)
            else:
                t[j] = quantize(n1 * n1 * f32 + half_f)
        _fire(r, t, words, True, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)
        if collapse:
            for j in range(width):
                b = bits[r, j]
                n0 = c0[r, j] * kraus[b, 0]
                n1 = c1[r, j] * kraus[b, 1]
                norm = np.sqrt(n0 * n0 + n1 * n1)
                c0[r, j], c1[r, j] = n0 / norm, n1 / norm
