"""Measuring a hidden layer on the bit-packed path: each row's outcome laws, its bits, and
the bits packed for the layers that read them — one pass per row, no arrays in between.

The law of neuron j in row r is read from a table at ``base[j] + (z[r, j] >> shift)`` (z its
integer sum, as in ``fused``; shift 1 where every z has the parity of the kernel's size, so
the table keeps every other entry and half the cache) or given per row (``given[r // rep, j]``: a layer whose u comes from the host,
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

import numpy as np

from ..thresholds import ALWAYS
from .jit import njit
from .layout import pack_row

_SCALE = np.float32(ALWAYS)


@njit(inline="always")
def quantize(p):
    """⌈float32(p) · 2²⁴⌉ (``thresholds.quantize``; p < 0 only by rounding: 0)."""
    return np.uint32(np.int32(np.ceil(max(np.float32(p) * _SCALE, np.float32(0.0)))))


@njit(inline="always")
def _fire(r, t, words, has_words, bits):
    """bit = word < T (``neurons.fire``); with no words (certain outcomes) bit = [T = 2²⁴].
    (The loops here run over 1-D row slices from 0, which LLVM vectorizes.)"""
    row = bits[r]
    if has_words:
        w = words[r]
        for j in range(row.shape[0]):
            row[j] = w[j] < t[j]
    else:
        for j in range(row.shape[0]):
            row[j] = t[j] >= ALWAYS


@njit
def fire_sums(r0, r1, z, base, shift, table, words, has_words, bits, packed, groups, group_bits, group_words):
    """Rows r0 ≤ r < r1: T_j = table[base_j + (z[r, j] >> shift)], bits, packed bits."""
    width = bits.shape[1]
    t = np.empty(width, np.uint32)
    for r in range(r0, r1):
        zr = z[r]
        for j in range(width):
            t[j] = table[np.uint64(base[j] + (zr[j] >> shift))]
        _fire(r, t, words, has_words, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)


@njit
def fire_sign_steps(r0, r1, z, lo, hi, pair, words, has_words, bits, packed, groups, group_bits, group_words):
    """Rows r0 ≤ r < r1 of a layer at τ = 0 (``fused.SignSteps``): σ_j = [lo_j ≤ z[r, j] ≤
    hi_j], T_j = pair[σ_j], bits, packed bits."""
    width = bits.shape[1]
    t = np.empty(width, np.uint32)
    t0, t1 = pair[0], pair[1]
    for r in range(r0, r1):
        zr = z[r]
        for j in range(width):
            t[j] = t0 + np.uint32((zr[j] >= lo[j]) & (zr[j] <= hi[j])) * (t1 - t0)  # mod 2³²
        _fire(r, t, words, has_words, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)


@njit
def fire_given(r0, r1, given, rep, words, has_words, bits, packed, groups, group_bits, group_words):
    """Rows r0 ≤ r < r1: T = given[r // rep], bits, packed bits."""
    for r in range(r0, r1):
        _fire(r, given[r // rep], words, has_words, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)


@njit
def fire_signs(r0, r1, sigma, pair, rep, words, has_words, bits, packed, groups, group_bits, group_words):
    """Rows r0 ≤ r < r1 of a layer given by its signs σ (τ = 0: ``encode32``): T_j =
    pair[σ[r // rep, j], j], bits, packed bits."""
    t = np.empty(bits.shape[1], np.uint32)
    t0, t1 = pair[0], pair[1]
    for r in range(r0, r1):
        sq = sigma[r // rep]
        for j in range(bits.shape[1]):
            t[j] = t0[j] + np.uint32(sq[j]) * (t1[j] - t0[j])  # mod 2³²: t1 where σ = 1
        _fire(r, t, words, has_words, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)


@njit
def fire_given_collapse(r0, r1, given, after, rep, words, bits, packed, groups, group_bits, group_words, c0, c1):
    """Rows r0 ≤ r < r1 of fresh neuron qubits: T = given[r // rep], bits, packed bits, and
    the state each outcome leaves, ``after[r // rep]`` = (c₀, c₁ after 0, c₀, c₁ after 1)."""
    for r in range(r0, r1):
        q = r // rep
        _fire(r, given[q], words, True, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)
        for j in range(bits.shape[1]):
            fired = bits[r, j] != 0
            c0[r, j] = after[q, 2, j] if fired else after[q, 0, j]
            c1[r, j] = after[q, 3, j] if fired else after[q, 1, j]


@njit
def measure_state(r0, r1, z, base, shift, halves, rep, words, bits, packed, groups, group_bits,
                  group_words, memory, c0, c1, last, carried, f, collapse, kraus, noisy, alpha, beta, gamma):
    """Rows r0 ≤ r < r1 by half angles ``halves`` [·, ·, 2] = (cos θ/2, sin θ/2): from the
    table ``halves[0, base_j + (z[r, j] >> shift)]`` when ``rep`` is 0, else given, ``halves[r // rep, j]``
    (a pair in one 8-byte entry: one cache line per lookup).

    memory: carry the state (c₀, c₁ [rows, ≥ width] float32, in place; ``last`` [rows,
    ≥ ``carried``] the previous layer's bits, its qubits the first ``carried`` neurons); f: the
    readout's sin g (1 when projective); collapse: apply M_bit (``kraus``: float32 [(k₀, k₁)
    of M_0, of M_1]); noisy: P(1) = α + β cos φ + γ sin φ with float64 α, β, γ per neuron.

    Each row goes in passes over its neurons (gather, rotate, law, fire, collapse), so that
    all but the gather vectorize."""
    width = bits.shape[1]
    t = np.empty(width, np.uint32)
    a = np.empty(width, np.float32)  # cos θ/2
    b = np.empty(width, np.float32)  # sin θ/2
    zero, one, two = np.float32(0.0), np.float32(1.0), np.float32(2.0)
    f32 = np.float32(f)
    half_f = np.float32((1.0 - f) / 2.0)
    m00, m01, m10, m11 = kraus[0, 0], kraus[0, 1], kraus[1, 0], kraus[1, 1]
    for r in range(r0, r1):
        if rep == 0:
            for j in range(width):
                k = np.uint64(base[j] + (z[r, j] >> shift))
                a[j], b[j] = halves[0, k, 0], halves[0, k, 1]
        else:
            for j in range(width):
                a[j], b[j] = halves[r // rep, j, 0], halves[r // rep, j, 1]
        if not memory:
            for j in range(width):
                cos_theta = one - two * (b[j] * b[j])
                sin_theta = two * b[j] * a[j]
                t[j] = quantize(alpha[j] + beta[j] * np.float64(cos_theta) + gamma[j] * np.float64(sin_theta))
        else:
            # Neurons j < carried hold the previous layer's qubits: R_y(θ − π r) on (c₀, c₁),
            # (cos, sin) of (θ − π r)/2 = (sin θ/2, −cos θ/2) where r = 1. The others are
            # fresh |0⟩, rotated to (cos θ/2, sin θ/2). The rotated state goes to c₀, c₁.
            s0, s1 = c0[r], c1[r]
            kept = min(carried, width)
            for j in range(kept):
                fired = last[r, j] != 0
                ch = b[j] if fired else a[j]
                sh = -a[j] if fired else b[j]
                a0, a1 = s0[j], s1[j]
                s0[j] = a0 * ch - a1 * sh
                s1[j] = a0 * sh + a1 * ch
            for j in range(kept, width):
                s0[j], s1[j] = a[j], b[j]
            if noisy:
                for j in range(width):
                    t[j] = quantize(alpha[j] + beta[j] * np.float64(s0[j] * s0[j] - s1[j] * s1[j])
                                    + gamma[j] * np.float64(two * s0[j] * s1[j]))
            elif f32 == one:
                for j in range(width):
                    t[j] = quantize(s1[j] * s1[j])
            else:
                for j in range(width):
                    t[j] = quantize(s1[j] * s1[j] * f32 + half_f)
        _fire(r, t, words, True, bits)
        pack_row(bits, r, packed, groups, group_bits, group_words)
        if collapse:  # the state of every neuron, for the next layer
            s0, s1 = c0[r], c1[r]
            for j in range(width):
                fired = bits[r, j] != 0
                n0 = s0[j] * (m10 if fired else m00)
                n1 = s1[j] * (m11 if fired else m01)
                norm = np.sqrt(n0 * n0 + n1 * n1)
                s0[j] = n0 / norm
                s1[j] = n1 / norm
