"""Runs of samples across threads ("lanes") on the packed path.

Each lane takes whole units — a run of samples, encoded, then measured block by block — with
its own scratch and carried state (``_Sampler.lane``), and runs every kernel inside them in
its own thread, BLAS included (one BLAS thread while lanes run). Splitting each stage across
threads instead hands work off between threads at every stage, and leaves BLAS's threads
spinning after each GEMM on the cores the next kernels want; a unit hands off once. Outcomes
do not depend on the lanes: the random words are addressed by position (``words``) and each
unit writes its own rows of the result."""

from __future__ import annotations

import threading
from contextlib import contextmanager

#: Units per lane, so that the lanes finish together when some units run slower.
UNITS_PER_LANE = 4
#: Rows × widest value below which a unit's per-call overhead outweighs a second lane.
MIN_UNIT_ELEMENTS = 1 << 17

_BLAS = None
#: The BLAS limit in force (threadpoolctl's limiter) and how many simulations run inside it.
_LIMIT = {"limiter": None, "inside": 0}
_LIMIT_LOCK = threading.Lock()


def units(n: int, shots: int, widest: int, chunk: int, lanes: int) -> tuple[list[tuple[int, int]], int]:
    """Sample ranges [c0, c1) of at most ``chunk`` samples, and the lanes to run them on
    (1 where there are too few units to share)."""
    if lanes > 1:
        smallest = -(-MIN_UNIT_ELEMENTS // max(1, shots * widest))
        per_unit = max(1, min(chunk, max(smallest, n // (UNITS_PER_LANE * lanes))))
        if -(-n // per_unit) >= 2 * lanes:
            return [(c0, min(n, c0 + per_unit)) for c0 in range(0, n, per_unit)], lanes
    return [(c0, min(n, c0 + chunk)) for c0 in range(0, n, chunk)], 1


def available() -> int:
    """The lanes this process may run: one per CPU it may use (``BNN2Q_THREADS``)."""
    from .packed.jit import threads

    return threads()


@contextmanager
def progress(show: bool, total: int):
    """A callable that counts one block done: a progress bar on stderr when ``show``."""
    if not show:
        yield lambda: None
        return
    from tqdm import tqdm

    lock = threading.Lock()
    with tqdm(total=total, desc="simulate", unit="block", leave=False) as bar:
        def done():
            with lock:
                bar.update()

        yield done


def run(sampler, todo: list, lanes: int, done) -> None:
    """``sampler.unit(*item, done)`` for every item of ``todo``, on ``lanes`` threads (this one
    and ``lanes − 1`` workers, each with ``sampler.lane()``); the first error is raised once
    every lane has stopped."""
    if lanes == 1:
        for item in todo:
            sampler.unit(*item, done)
        return
    from .packed.jit import as_lane, pool

    lock = threading.Lock()
    pending = iter(todo)
    stop = threading.Event()

    def lane(s):
        while not stop.is_set():
            with lock:
                item = next(pending, None)
            if item is None:
                return
            try:
                s.unit(*item, done)
            except BaseException:
                stop.set()
                raise

    with _one_blas_thread():
        workers = [pool().submit(as_lane, lane, sampler.lane()) for _ in range(lanes - 1)]
        try:
            as_lane(lane, sampler)
        except BaseException:
            stop.set()
            raise
        finally:
            errors = [w.exception() for w in workers]  # each lane has stopped
    for e in errors:
        if e is not None:
            raise e


@contextmanager
def _one_blas_thread():
    """BLAS limited to one thread while any simulation's lanes run (``threadpoolctl``: a
    process-wide setting, so concurrent simulations share one limit and the last restores it)."""
    global _BLAS
    with _LIMIT_LOCK:
        if _LIMIT["inside"] == 0:
            if _BLAS is None:
                from threadpoolctl import ThreadpoolController

                _BLAS = ThreadpoolController()
            _LIMIT["limiter"] = _BLAS.limit(limits=1, user_api="blas")
        _LIMIT["inside"] += 1
    try:
        yield
    finally:
        with _LIMIT_LOCK:
            _LIMIT["inside"] -= 1
            if _LIMIT["inside"] == 0:
                _LIMIT["limiter"].restore_original_limits()
                _LIMIT["limiter"] = None
