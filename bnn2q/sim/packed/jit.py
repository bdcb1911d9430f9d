"""numba for the bit-packed path: compiled kernels cached on disk, a popcount intrinsic, and
rows split across threads.

The kernels are serial and release the GIL (``nogil``); ``split_rows`` runs one contiguous
range of rows per thread from a small thread pool. numba's own ``parallel=True`` is not used:
its OpenMP workers spin-wait by default, which on a machine shared with other jobs stalls each
parallel call for 10+ ms, and parallel functions take several times longer to compile."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from numba import njit as _njit
from numba import types
from numba.extending import intrinsic

#: Row ranges below this many elements (rows × width) run in the calling thread: a thread
#: hand-off costs tens of microseconds.
SPLIT_ELEMENTS = 1 << 16


def njit(fn=None, **options):
    """``numba.njit(nogil=True, cache=True, error_model="numpy")``: NumPy's error model lets
    divisions vectorize (Python's checks each divisor for zero). Without a writable cache
    location (a read-only install and a read-only home) numba refuses ``cache=True`` on
    import, so compile uncached."""
    options.setdefault("nogil", True)
    options.setdefault("cache", True)
    options.setdefault("error_model", "numpy")

    def decorate(f):
        try:
            return _njit(**options)(f)
        except RuntimeError:
            return _njit(**dict(options, cache=False))(f)

    return decorate(fn) if fn is not None else decorate


@intrinsic
def popcount(typingctx, x):
    """Set bits of a uint64, as int64 (``llvm.ctpop``: ``vpopcntq`` in vectorized loops on
    AVX-512 VPOPCNTDQ, a nibble-table sequence on AVX2, ``popcnt`` in scalar code)."""
    if not isinstance(x, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        word = context.cast(builder, args[0], signature.args[0], types.uint64)
        return builder.ctpop(word)

    return types.int64(x), codegen


def threads() -> int:
    """Worker threads: the CPUs this process may use, or ``BNN2Q_THREADS``."""
    env = os.environ.get("BNN2Q_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


_POOL: ThreadPoolExecutor | None = None
#: ``serial`` set: this thread is a lane (``sim.lanes``) — its kernels run in it, unsplit.
_LANE = threading.local()


def pool() -> ThreadPoolExecutor:
    """The worker threads (``threads() − 1``: the calling thread is the other one)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, threads() - 1), thread_name_prefix="bnn2q-rows")
    return _POOL


def split_rows(kernel, rows: int, width: int, *args) -> None:
    """``kernel(r0, r1, *args)`` over rows [0, rows), one contiguous range per thread (ranges
    start at multiples of 4, the kernels' row block); in a lane, all of them in it."""
    n = threads()
    if n == 1 or rows * width < SPLIT_ELEMENTS or rows < 8 or getattr(_LANE, "serial", False):
        kernel(0, rows, *args)
        return
    per = -(-rows // n)
    per += -per % 4
    bounds = [(lo, min(rows, lo + per)) for lo in range(0, rows, per)]
    pending = [pool().submit(kernel, lo, hi, *args) for lo, hi in bounds[1:]]
    kernel(bounds[0][0], bounds[0][1], *args)
    for p in pending:
        p.result()


def as_lane(fn, *args):
    """``fn(*args)`` with every ``split_rows`` inside it run in this thread."""
    _LANE.serial = True
    try:
        return fn(*args)
    finally:
        _LANE.serial = False
