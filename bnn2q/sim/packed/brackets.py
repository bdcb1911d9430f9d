"""The first layer at τ > 0 from float32 values (``sim.brackets``) in one pass per row: the affine
step, the rounding bound δ, the bracket [lo, hi) of the threshold over [u − δ, u + δ] (two reads
of the law's table), firing against the row's words and packing — elements whose word lies in
the bracket are left undecided (2) and their row unpacked, for ``settle``. Where shots share a
sample (``rep`` > 1) the brackets are made once per sample."""

from __future__ import annotations

import numpy as np

from ..brackets import MARGIN
from .jit import njit, split_rows
from .layout import pack_row


@njit(inline="always")
def _brackets(z, norm, q, a, c, per_norm, round_scale, abs_offset, floors, u0, inv_step, ia, ib, lo, hi):
    """lo, hi of every element of sample q (``brackets.windows``' arithmetic): the table
    indices in a loop that vectorizes (1-D slices from 0), then the table reads (AVX2 has no
    gather worth it)."""
    channels = z.shape[1] // norm.shape[1]
    top = float(floors.shape[0] - 1)
    for pos in range(norm.shape[1]):
        n = norm[q, pos]
        first, last = pos * channels, (pos + 1) * channels
        zp, ap, cp, pp, op = z[q, first:last], a[first:last], c[first:last], per_norm[first:last], abs_offset[first:last]
        iap, ibp = ia[first:last], ib[first:last]
        for e in range(channels):
            u = zp[e] * ap[e] + cp[e]
            d = n * pp[e] + round_scale * (abs(u) + op[e])
            ta = (np.float64(u) - np.float64(d) - u0) * inv_step + 1.0
            tb = (np.float64(u) + np.float64(d) - u0) * inv_step + 1.0
            iap[e] = np.int32(min(max(ta, 0.0), top - 1.0))
            ibp[e] = np.int32(np.ceil(min(max(tb, 1.0), top)))
    for e in range(z.shape[1]):
        lo[e] = floors[ia[e]] - MARGIN
        hi[e] = floors[ib[e]] + 1 + MARGIN


@njit
def fire_brackets(r0, r1, z, norm, a, c, per_norm, round_scale, abs_offset, floors, u0, inv_step, rep, words, bits,
                  packed, groups, group_bits, group_words, undecided):
    """Rows r0 ≤ r < r1 (sample r // rep): bits 1 (word < lo), 0 (word ≥ hi) or 2 (undecided),
    the count of undecided per row, and the packed bits of rows with none."""
    width = z.shape[1]
    ia = np.empty(width, np.int32)
    ib = np.empty(width, np.int32)
    lo = np.empty(width, np.int32)
    hi = np.empty(width, np.int32)
    last = -1
    for r in range(r0, r1):
        q = r // rep
        if q != last:
            last = q
            _brackets(z, norm, q, a, c, per_norm, round_scale, abs_offset, floors, u0, inv_step, ia, ib, lo, hi)
        count = np.int32(0)
        wr, br = words[r], bits[r]
        for e in range(width):
            w = np.int32(wr[e])  # < 2²⁴
            fire = np.int32(w < lo[e])
            below = np.int32(w < hi[e])
            br[e] = np.uint8(2 * below - fire)
            count += below - fire
        undecided[r] = count
        if count == 0:
            pack_row(bits, r, packed, groups, group_bits, group_words)


def fire(values, law, rep: int, words, bits, packed, layout_args) -> np.ndarray:
    """``fire_brackets`` over every row, split across threads; the undecided count per row."""
    layer = values.layer
    undecided = np.empty(bits.shape[0], np.int32)
    split_rows(fire_brackets, bits.shape[0], bits.shape[1], values.z, values.norm, layer.a32, layer.c32,
               layer.per_norm, layer.round_scale, layer.abs_offset, law.floors, law.u0, law.inv_step, rep, words,
               bits, packed, *layout_args, undecided)
    return undecided


@njit
def undecided_pairs(undecided, bits):
    """(rows, elements) of the bits left undecided (2, or 3 from ``signs.decide_given_rows``),
    row by row (``undecided``: their count per row)."""
    total = 0
    for r in range(undecided.shape[0]):
        total += undecided[r]
    rows = np.empty(total, np.int64)
    elements = np.empty(total, np.int64)
    p = 0
    for r in range(undecided.shape[0]):
        if undecided[r]:
            for e in range(bits.shape[1]):
                if bits[r, e] >= 2:
                    rows[p] = r
                    elements[p] = e
                    p += 1
    return rows, elements


@njit
def settled(rows, elements, thresholds, words, bits, packed, groups, group_bits, group_words):
    """The undecided bits from their thresholds (word < T), then their rows packed."""
    for p in range(rows.shape[0]):
        r, e = rows[p], elements[p]
        bits[r, e] = words[r, e] < thresholds[p]
    for p in range(rows.shape[0]):
        if p + 1 == rows.shape[0] or rows[p + 1] != rows[p]:
            pack_row(bits, rows[p], packed, groups, group_bits, group_words)


@njit
def dot_rows(x, w, q, j, scale, offset, out):
    """out[p] = (Σ_i x[q_p, i] w[j_p, i], summed in the order i = 0, 1, …) · scale[j_p] +
    offset[j_p], float64: the fixed-order value ``FirstLayer32.exact`` computes in NumPy,
    four pairs at a time (each its own sequential sum)."""
    n = x.shape[1]
    pairs = q.shape[0]
    p = 0
    while p + 4 <= pairs:
        q0, q1, q2, q3 = q[p], q[p + 1], q[p + 2], q[p + 3]
        j0, j1, j2, j3 = j[p], j[p + 1], j[p + 2], j[p + 3]
        s0 = s1 = s2 = s3 = 0.0
        for i in range(n):
            s0 += np.float64(x[q0, i]) * w[j0, i]
            s1 += np.float64(x[q1, i]) * w[j1, i]
            s2 += np.float64(x[q2, i]) * w[j2, i]
            s3 += np.float64(x[q3, i]) * w[j3, i]
        out[p] = s0 * scale[j0] + offset[j0]
        out[p + 1] = s1 * scale[j1] + offset[j1]
        out[p + 2] = s2 * scale[j2] + offset[j2]
        out[p + 3] = s3 * scale[j3] + offset[j3]
        p += 4
    while p < pairs:
        s = 0.0
        for i in range(n):
            s += np.float64(x[q[p], i]) * w[j[p], i]
        out[p] = s * scale[j[p]] + offset[j[p]]
        p += 1


@njit(fastmath={"reassoc", "nsz"})
def dot_abs_rows(x, w, q, j, out, out_abs):
    """out[p] = Σ_i x[q_p, i] w[j_p, i] and out_abs[p] = Σ_i |x[q_p, i] w[j_p, i]| in float64
    (``FirstLayer32.exact_signs``: the sign and the rounding bound of each pair), summed in
    any order (reassociated: vectorized) — the bound holds for every order."""
    for p in range(q.shape[0]):
        s = 0.0
        s_abs = 0.0
        for i in range(x.shape[1]):
            v = np.float64(x[q[p], i]) * w[j[p], i]
            s += v
            s_abs += abs(v)
        out[p] = s
        out_abs[p] = s_abs
