"""How bits sit in 64-bit words, and packing them.

A row of a packed value is P groups of C bits (a dense layer's input: one group of all its
inputs; a convolution's input: one group of channels per pixel, so that im2col moves whole
words). Bit t of group p goes to word p · G + t // 64, bit t % 64, with G words per group and
every unused bit 0; rows may end in whole zero words that pad them for the sums' chunks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .jit import njit, split_rows


def row_words(n: int) -> int:
    """Words of a dense row of n bits: ⌈n / 64⌉, padded to a multiple of 4 above 2 (the sums
    take 1, 2 or 4 words per chunk)."""
    nw = -(-n // 64)
    return nw if nw <= 2 else -(-nw // 4) * 4


def chunk_words(nw: int) -> int:
    """Words per chunk (KC) of the sums over rows of nw words."""
    return nw if nw <= 2 else 4


@dataclass(frozen=True)
class Layout:
    """``groups`` × ``bits`` per row, ``words`` per group, ``row`` words in all (≥ groups · words)."""

    groups: int
    bits: int
    words: int
    row: int

    @classmethod
    def dense(cls, n: int) -> "Layout":
        return cls(1, n, row_words(n), row_words(n))

    @classmethod
    def pixels(cls, pixels: int, channels: int) -> "Layout":
        words = -(-channels // 64)
        return cls(pixels, channels, words, pixels * words)

    @property
    def flat(self) -> bool:
        """Whether the words hold the row's bits in order with no gap (either layout reads it)."""
        return self.groups == 1 or self.bits == 64 * self.words


# Helpers are inlined into numba's IR: as separate LLVM functions the byte loads do not merge.
@njit(inline="always")
def full_word(bits, r, lo):
    """Bits ``bits[r, lo : lo + 64]`` (0/1 bytes) as one word, bit t from byte lo + t."""
    word = np.uint64(0)
    lo = np.uint64(lo)  # an unsigned index has no negative-index fix-up, which stops the merge
    # Eight bytes at a time: for 0/1 bytes x₀…x₇ in one uint64, (x · 0x0102040810204080) >> 56
    # gathers x_t into bit t (every partial product lands on its own bit: no carries).
    for g in range(8):
        x = np.uint64(0)
        for t in range(8):
            x |= np.uint64(bits[r, lo + np.uint64(8 * g + t)]) << np.uint64(8 * t)
        word |= ((x * np.uint64(0x0102040810204080)) >> np.uint64(56)) << np.uint64(8 * g)
    return word


@njit(inline="always")
def pack_row(bits, r, out, groups, group_bits, group_words):
    """Pack row r of 0/1 bytes ``bits`` [rows, groups · group_bits] into ``out[r]`` (zero tail)."""
    full, rest = divmod(group_bits, 64)
    for p in range(groups):
        lo = p * group_bits
        for k in range(full):
            out[r, p * group_words + k] = full_word(bits, r, lo + 64 * k)
        if rest:
            word = np.uint64(0)
            for t in range(rest):
                word |= np.uint64(bits[r, lo + 64 * full + t]) << np.uint64(t)
            out[r, p * group_words + full] = word
        for k in range(full + (rest > 0), group_words):
            out[r, p * group_words + k] = 0
    for k in range(groups * group_words, out.shape[1]):
        out[r, k] = 0


@njit
def _pack_rows(r0, r1, bits, out, groups, group_bits, group_words):
    for r in range(r0, r1):
        pack_row(bits, r, out, groups, group_bits, group_words)


def pack(bits: np.ndarray, layout: Layout, out: np.ndarray | None = None) -> np.ndarray:
    """0/1 rows (bool or uint8 [rows, groups · bits]) → uint64 [rows, layout.row]."""
    rows = bits.shape[0]
    u8 = np.ascontiguousarray(bits.reshape(rows, -1)).view(np.uint8)
    if out is None:
        out = np.empty((rows, layout.row), np.uint64)
    split_rows(_pack_rows, rows, u8.shape[1], u8, out, layout.groups, layout.bits, layout.words)
    return out
