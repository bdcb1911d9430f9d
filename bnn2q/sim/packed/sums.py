"""XNOR-popcount sums on packed bits (written by generate.py; edit that, not this).

sums_kc<KC>(r0, r1, s, wt, n, z): for rows r0 ≤ r < r1 and every output column j,

    z[r, j] = n − 2 Σ_k popcount(s[r, k] XOR wt[k, j])

s  uint64 [rows, nw]   packed input bits (bit i of a row: word i // 64, bit i % 64; padding 0)
wt uint64 [nw, n_out]  the kernel's sign bits, transposed (bit 1 for +1; padding 0)
z  int32 [rows, n_out] the sums, also the accumulator while nw > KC (nw a multiple of KC)

Rows go 4 at a time (block_4x<KC>), the rest one by one (block_1x<KC>).
"""

from .jit import njit, popcount


@njit(fastmath=True)
def block_4x1(r, s, wt, n, z):
    nw = s.shape[1]
    n_out = wt.shape[1]
    for k0 in range(0, nw, 1):
        s0_0 = s[r + 0, k0 + 0]
        s1_0 = s[r + 1, k0 + 0]
        s2_0 = s[r + 2, k0 + 0]
        s3_0 = s[r + 3, k0 + 0]
        if nw == 1:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                z[r + 0, j] = n - 2 * (popcount(s0_0 ^ w0))
                z[r + 1, j] = n - 2 * (popcount(s1_0 ^ w0))
                z[r + 2, j] = n - 2 * (popcount(s2_0 ^ w0))
                z[r + 3, j] = n - 2 * (popcount(s3_0 ^ w0))
        elif k0 == 0:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                z[r + 0, j] = popcount(s0_0 ^ w0)
                z[r + 1, j] = popcount(s1_0 ^ w0)
                z[r + 2, j] = popcount(s2_0 ^ w0)
                z[r + 3, j] = popcount(s3_0 ^ w0)
        elif k0 + 1 == nw:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                z[r + 0, j] = n - 2 * (z[r + 0, j] + popcount(s0_0 ^ w0))
                z[r + 1, j] = n - 2 * (z[r + 1, j] + popcount(s1_0 ^ w0))
                z[r + 2, j] = n - 2 * (z[r + 2, j] + popcount(s2_0 ^ w0))
                z[r + 3, j] = n - 2 * (z[r + 3, j] + popcount(s3_0 ^ w0))
        else:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                z[r + 0, j] = z[r + 0, j] + popcount(s0_0 ^ w0)
                z[r + 1, j] = z[r + 1, j] + popcount(s1_0 ^ w0)
                z[r + 2, j] = z[r + 2, j] + popcount(s2_0 ^ w0)
                z[r + 3, j] = z[r + 3, j] + popcount(s3_0 ^ w0)


@njit(fastmath=True)
def block_1x1(r, s, wt, n, z):
    nw = s.shape[1]
    n_out = wt.shape[1]
    for k0 in range(0, nw, 1):
        s0_0 = s[r + 0, k0 + 0]
        if nw == 1:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                z[r + 0, j] = n - 2 * (popcount(s0_0 ^ w0))
        elif k0 == 0:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                z[r + 0, j] = popcount(s0_0 ^ w0)
        elif k0 + 1 == nw:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                z[r + 0, j] = n - 2 * (z[r + 0, j] + popcount(s0_0 ^ w0))
        else:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                z[r + 0, j] = z[r + 0, j] + popcount(s0_0 ^ w0)


@njit
def sums_kc1(r0, r1, s, wt, n, z):
    r = r0
    while r + 4 <= r1:
        block_4x1(r, s, wt, n, z)
        r += 4
    while r < r1:
        block_1x1(r, s, wt, n, z)
        r += 1


@njit(fastmath=True)
def block_4x2(r, s, wt, n, z):
    nw = s.shape[1]
    n_out = wt.shape[1]
    for k0 in range(0, nw, 2):
        s0_0 = s[r + 0, k0 + 0]
        s0_1 = s[r + 0, k0 + 1]
        s1_0 = s[r + 1, k0 + 0]
        s1_1 = s[r + 1, k0 + 1]
        s2_0 = s[r + 2, k0 + 0]
        s2_1 = s[r + 2, k0 + 1]
        s3_0 = s[r + 3, k0 + 0]
        s3_1 = s[r + 3, k0 + 1]
        if nw == 2:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                z[r + 0, j] = n - 2 * (popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1))
                z[r + 1, j] = n - 2 * (popcount(s1_0 ^ w0) + popcount(s1_1 ^ w1))
                z[r + 2, j] = n - 2 * (popcount(s2_0 ^ w0) + popcount(s2_1 ^ w1))
                z[r + 3, j] = n - 2 * (popcount(s3_0 ^ w0) + popcount(s3_1 ^ w1))
        elif k0 == 0:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                z[r + 0, j] = popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1)
                z[r + 1, j] = popcount(s1_0 ^ w0) + popcount(s1_1 ^ w1)
                z[r + 2, j] = popcount(s2_0 ^ w0) + popcount(s2_1 ^ w1)
                z[r + 3, j] = popcount(s3_0 ^ w0) + popcount(s3_1 ^ w1)
        elif k0 + 2 == nw:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                z[r + 0, j] = n - 2 * (z[r + 0, j] + popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1))
                z[r + 1, j] = n - 2 * (z[r + 1, j] + popcount(s1_0 ^ w0) + popcount(s1_1 ^ w1))
                z[r + 2, j] = n - 2 * (z[r + 2, j] + popcount(s2_0 ^ w0) + popcount(s2_1 ^ w1))
                z[r + 3, j] = n - 2 * (z[r + 3, j] + popcount(s3_0 ^ w0) + popcount(s3_1 ^ w1))
        else:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                z[r + 0, j] = z[r + 0, j] + popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1)
                z[r + 1, j] = z[r + 1, j] + popcount(s1_0 ^ w0) + popcount(s1_1 ^ w1)
                z[r + 2, j] = z[r + 2, j] + popcount(s2_0 ^ w0) + popcount(s2_1 ^ w1)
                z[r + 3, j] = z[r + 3, j] + popcount(s3_0 ^ w0) + popcount(s3_1 ^ w1)


@njit(fastmath=True)
def block_1x2(r, s, wt, n, z):
    nw = s.shape[1]
    n_out = wt.shape[1]
    for k0 in range(0, nw, 2):
        s0_0 = s[r + 0, k0 + 0]
        s0_1 = s[r + 0, k0 + 1]
        if nw == 2:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                z[r + 0, j] = n - 2 * (popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1))
        elif k0 == 0:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                z[r + 0, j] = popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1)
        elif k0 + 2 == nw:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                z[r + 0, j] = n - 2 * (z[r + 0, j] + popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1))
        else:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                z[r + 0, j] = z[r + 0, j] + popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1)


@njit
def sums_kc2(r0, r1, s, wt, n, z):
    r = r0
    while r + 4 <= r1:
        block_4x2(r, s, wt, n, z)
        r += 4
    while r < r1:
        block_1x2(r, s, wt, n, z)
        r += 1


@njit(fastmath=True)
def block_4x4(r, s, wt, n, z):
    nw = s.shape[1]
    n_out = wt.shape[1]
    for k0 in range(0, nw, 4):
        s0_0 = s[r + 0, k0 + 0]
        s0_1 = s[r + 0, k0 + 1]
        s0_2 = s[r + 0, k0 + 2]
        s0_3 = s[r + 0, k0 + 3]
        s1_0 = s[r + 1, k0 + 0]
        s1_1 = s[r + 1, k0 + 1]
        s1_2 = s[r + 1, k0 + 2]
        s1_3 = s[r + 1, k0 + 3]
        s2_0 = s[r + 2, k0 + 0]
        s2_1 = s[r + 2, k0 + 1]
        s2_2 = s[r + 2, k0 + 2]
        s2_3 = s[r + 2, k0 + 3]
        s3_0 = s[r + 3, k0 + 0]
        s3_1 = s[r + 3, k0 + 1]
        s3_2 = s[r + 3, k0 + 2]
        s3_3 = s[r + 3, k0 + 3]
        if nw == 4:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                w2 = wt[k0 + 2, j]
                w3 = wt[k0 + 3, j]
                z[r + 0, j] = n - 2 * (popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1) + popcount(s0_2 ^ w2) + popcount(s0_3 ^ w3))
                z[r + 1, j] = n - 2 * (popcount(s1_0 ^ w0) + popcount(s1_1 ^ w1) + popcount(s1_2 ^ w2) + popcount(s1_3 ^ w3))
                z[r + 2, j] = n - 2 * (popcount(s2_0 ^ w0) + popcount(s2_1 ^ w1) + popcount(s2_2 ^ w2) + popcount(s2_3 ^ w3))
                z[r + 3, j] = n - 2 * (popcount(s3_0 ^ w0) + popcount(s3_1 ^ w1) + popcount(s3_2 ^ w2) + popcount(s3_3 ^ w3))
        elif k0 == 0:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                w2 = wt[k0 + 2, j]
                w3 = wt[k0 + 3, j]
                z[r + 0, j] = popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1) + popcount(s0_2 ^ w2) + popcount(s0_3 ^ w3)
                z[r + 1, j] = popcount(s1_0 ^ w0) + popcount(s1_1 ^ w1) + popcount(s1_2 ^ w2) + popcount(s1_3 ^ w3)
                z[r + 2, j] = popcount(s2_0 ^ w0) + popcount(s2_1 ^ w1) + popcount(s2_2 ^ w2) + popcount(s2_3 ^ w3)
                z[r + 3, j] = popcount(s3_0 ^ w0) + popcount(s3_1 ^ w1) + popcount(s3_2 ^ w2) + popcount(s3_3 ^ w3)
        elif k0 + 4 == nw:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                w2 = wt[k0 + 2, j]
                w3 = wt[k0 + 3, j]
                z[r + 0, j] = n - 2 * (z[r + 0, j] + popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1) + popcount(s0_2 ^ w2) + popcount(s0_3 ^ w3))
                z[r + 1, j] = n - 2 * (z[r + 1, j] + popcount(s1_0 ^ w0) + popcount(s1_1 ^ w1) + popcount(s1_2 ^ w2) + popcount(s1_3 ^ w3))
                z[r + 2, j] = n - 2 * (z[r + 2, j] + popcount(s2_0 ^ w0) + popcount(s2_1 ^ w1) + popcount(s2_2 ^ w2) + popcount(s2_3 ^ w3))
                z[r + 3, j] = n - 2 * (z[r + 3, j] + popcount(s3_0 ^ w0) + popcount(s3_1 ^ w1) + popcount(s3_2 ^ w2) + popcount(s3_3 ^ w3))
        else:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                w2 = wt[k0 + 2, j]
                w3 = wt[k0 + 3, j]
                z[r + 0, j] = z[r + 0, j] + popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1) + popcount(s0_2 ^ w2) + popcount(s0_3 ^ w3)
                z[r + 1, j] = z[r + 1, j] + popcount(s1_0 ^ w0) + popcount(s1_1 ^ w1) + popcount(s1_2 ^ w2) + popcount(s1_3 ^ w3)
                z[r + 2, j] = z[r + 2, j] + popcount(s2_0 ^ w0) + popcount(s2_1 ^ w1) + popcount(s2_2 ^ w2) + popcount(s2_3 ^ w3)
                z[r + 3, j] = z[r + 3, j] + popcount(s3_0 ^ w0) + popcount(s3_1 ^ w1) + popcount(s3_2 ^ w2) + popcount(s3_3 ^ w3)


@njit(fastmath=True)
def block_1x4(r, s, wt, n, z):
    nw = s.shape[1]
    n_out = wt.shape[1]
    for k0 in range(0, nw, 4):
        s0_0 = s[r + 0, k0 + 0]
        s0_1 = s[r + 0, k0 + 1]
        s0_2 = s[r + 0, k0 + 2]
        s0_3 = s[r + 0, k0 + 3]
        if nw == 4:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                w2 = wt[k0 + 2, j]
                w3 = wt[k0 + 3, j]
                z[r + 0, j] = n - 2 * (popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1) + popcount(s0_2 ^ w2) + popcount(s0_3 ^ w3))
        elif k0 == 0:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                w2 = wt[k0 + 2, j]
                w3 = wt[k0 + 3, j]
                z[r + 0, j] = popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1) + popcount(s0_2 ^ w2) + popcount(s0_3 ^ w3)
        elif k0 + 4 == nw:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                w2 = wt[k0 + 2, j]
                w3 = wt[k0 + 3, j]
                z[r + 0, j] = n - 2 * (z[r + 0, j] + popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1) + popcount(s0_2 ^ w2) + popcount(s0_3 ^ w3))
        else:
            for j in range(n_out):
                w0 = wt[k0 + 0, j]
                w1 = wt[k0 + 1, j]
                w2 = wt[k0 + 2, j]
                w3 = wt[k0 + 3, j]
                z[r + 0, j] = z[r + 0, j] + popcount(s0_0 ^ w0) + popcount(s0_1 ^ w1) + popcount(s0_2 ^ w2) + popcount(s0_3 ^ w3)


@njit
def sums_kc4(r0, r1, s, wt, n, z):
    r = r0
    while r + 4 <= r1:
        block_4x4(r, s, wt, n, z)
        r += 4
    while r < r1:
        block_1x4(r, s, wt, n, z)
        r += 1


SUMS = {1: sums_kc1, 2: sums_kc2, 4: sums_kc4}
