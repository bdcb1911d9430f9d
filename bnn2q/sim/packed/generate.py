"""Write ``sums.py``, the register-blocked XNOR-popcount kernels (run after editing this file):

    python -m bnn2q.sim.packed.generate

For rows of packed bits s (uint64 words) and a ±1 kernel packed as sign bits b (bit = 1 for
+1), with y = 2s − 1 and w = 2b − 1 every product is w·y = 1 − 2 (s XOR b), so

    z[r, j] = Σ_i W[j, i] y[r, i] = n − 2 Σ_k popcount(s[r, k] XOR wt[k, j])     (exact)

where n counts the real inputs (padding bits are 0 in both operands and never count).

Why generated: LLVM vectorizes innermost loops only, and numba has no register arrays, so a
nest ``for k: for i in rows: acc[i] += …`` keeps its accumulators in memory. Written out, a
block of MR rows × KC words loads its MR·KC input words once, and the one loop left — over
the output columns j, contiguous in the transposed kernel ``wt`` — becomes vpxorq / vpopcntq /
vpaddq on 4 or 8 columns at a time. The chunk modes (only / first / middle / last) are
unswitched here because LLVM left them inside the vector loop (2× slower). One driver per KC
and no dispatch inside numba: numba compiles every branch of a function, so only the variants
a network uses get compiled. The output is a plain module so numba can cache it on disk."""

from __future__ import annotations

from pathlib import Path

MR = 4  # rows per register block (best of 1, 2, 4, 8)
KCS = (1, 2, 4)  # words per chunk: rows of 1 or 2 words stay, longer rows pad to 4k words

HEADER = f'''"""XNOR-popcount sums on packed bits (written by generate.py; edit that, not this).

sums_kc<KC>(r0, r1, s, wt, n, z): for rows r0 ≤ r < r1 and every output column j,

    z[r, j] = n − 2 Σ_k popcount(s[r, k] XOR wt[k, j])

s  uint64 [rows, nw]   packed input bits (bit i of a row: word i // 64, bit i % 64; padding 0)
wt uint64 [nw, n_out]  the kernel's sign bits, transposed (bit 1 for +1; padding 0)
z  int32 [rows, n_out] the sums, also the accumulator while nw > KC (nw a multiple of KC)

Rows go {MR} at a time (block_{MR}x<KC>), the rest one by one (block_1x<KC>).
"""

from .jit import njit, popcount
'''


def _column_loop(mr: int, kc: int, mode: str) -> list[str]:
    """The loop over output columns j for one row block and one chunk of words."""
    lines = ["            for j in range(n_out):"]
    lines += [f"                w{k} = wt[k0 + {k}, j]" for k in range(kc)]
    for i in range(mr):
        count = " + ".join(f"popcount(s{i}_{k} ^ w{k})" for k in range(kc))
        expr = {
            "only": f"n - 2 * ({count})",
            "first": count,
            "middle": f"z[r + {i}, j] + {count}",
            "last": f"n - 2 * (z[r + {i}, j] + {count})",
        }[mode]
        lines.append(f"                z[r + {i}, j] = {expr}")
    return lines


def block_source(mr: int, kc: int) -> str:
    lines = [
        "@njit(fastmath=True)",
        f"def block_{mr}x{kc}(r, s, wt, n, z):",
        "    nw = s.shape[1]",
        "    n_out = wt.shape[1]",
        f"    for k0 in range(0, nw, {kc}):",
    ]
    lines += [f"        s{i}_{k} = s[r + {i}, k0 + {k}]" for i in range(mr) for k in range(kc)]
    lines.append(f"        if nw == {kc}:")
    lines += _column_loop(mr, kc, "only")
    lines.append("        elif k0 == 0:")
    lines += _column_loop(mr, kc, "first")
    lines.append(f"        elif k0 + {kc} == nw:")
    lines += _column_loop(mr, kc, "last")
    lines.append("        else:")
    lines += _column_loop(mr, kc, "middle")
    return "\n".join(lines) + "\n"


def driver_source(kc: int) -> str:
    return f'''@njit
def sums_kc{kc}(r0, r1, s, wt, n, z):
    r = r0
    while r + {MR} <= r1:
        block_{MR}x{kc}(r, s, wt, n, z)
        r += {MR}
    while r < r1:
        block_1x{kc}(r, s, wt, n, z)
        r += 1
'''


def source() -> str:
    parts = [HEADER]
    for kc in KCS:
        parts += [block_source(MR, kc), block_source(1, kc), driver_source(kc)]
    parts.append("SUMS = {" + ", ".join(f"{kc}: sums_kc{kc}" for kc in KCS) + "}\n")
    return "\n\n".join(parts)


TARGET = Path(__file__).with_name("sums.py")

if __name__ == "__main__":
    TARGET.write_text(source())
    print(f"wrote {TARGET}")
