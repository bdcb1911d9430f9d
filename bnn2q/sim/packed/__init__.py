"""The bit-packed path: ±1 layers reading bits as XNOR-popcount on 64-bit words (numba).

With bits s ∈ {0, 1}, spins y = 2s − 1 and a ±1 kernel stored as sign bits b = [W > 0],

    z_j = Σ_i W_ji y_i = n − 2 · popcount(s XOR b_j),

an exact integer from 64 inputs per instruction pair (NumPy ≥ 1.26 has no vectorized popcount;
numba compiles ``llvm.ctpop``, which becomes ``vpopcntq`` on AVX-512 machines). Hidden layers
then look their outcome laws up, fire and pack their bits for the next layer in one pass
(``fire``). The NumPy path stays the fallback and the reference; this one is used when numba
imports and the work repays numba's start-up (one to a few seconds per process: importing
numba and loading the compiled kernels from its cache), or always/never with
``BNN2Q_PACKED=1`` / ``BNN2Q_PACKED=0`` (or ``bnn2q.sim.packed.MODE``)."""

from __future__ import annotations

import os
import sys

#: "auto", "always" or "never"; ``BNN2Q_PACKED`` sets it (1/0 for always/never).
MODE = {"1": "always", "0": "never"}.get(os.environ.get("BNN2Q_PACKED", ""), os.environ.get("BNN2Q_PACKED") or "auto")

#: In "auto" mode a simulation takes this path once numba is loaded in the process (then it
#: costs nothing more to start), or when its work (``Plan.work``: rows × (Σ multiply-adds /
#: 256 + neurons), about the NumPy path's time in units of 5 ns) reaches this much: where the
#: NumPy path would spend a second or more. Both paths give the same outcomes.
MIN_WORK = 1 << 28

_AVAILABLE: bool | None = None


def available() -> bool:
    """Whether numba imports (it is a dependency; a broken install falls back to NumPy)."""
    global _AVAILABLE
    if _AVAILABLE is None:
        try:
            from . import jit  # noqa: F401
        except Exception:  # ImportError, or numba failing to initialize on this platform
            _AVAILABLE = False
        else:
            _AVAILABLE = True
    return _AVAILABLE


def wanted(work: float) -> bool:
    """Whether a simulation of ``work`` (see MIN_WORK) takes the packed path."""
    if MODE == "never":
        return False
    if MODE == "always" or work >= MIN_WORK or "numba" in sys.modules:
        return available()
    return False
