"""Where cells run: in this process, on local worker processes, or on a Ray cluster.

Each executor yields ``(cell, row, error)`` as cells finish, in completion order, so the runner
can record every finished row at once; exactly one of row and error is None."""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from . import cell as cell_module


def _worker_start(parent_pid: int) -> None:
    """Worker start-up: die with the sweep, then one TensorFlow thread each (N workers, N cores)."""
    _die_with_parent(parent_pid)
    _one_thread_per_worker()


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux for SIGKILL when the sweep process dies (even by SIGKILL, which runs no cleanup),
    so no ~800 MB worker is left behind under PID 1. The sweep may already be gone by the time
    this runs: then leave at once."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the executor's own shutdown is all there is
        return
    if os.getppid() != parent_pid:
        os._exit(1)


def _one_thread_per_worker() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    from ...frontends.tf_env import import_tf

    tf = import_tf()[0]
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow already running in this process: keep its setting
        pass


def _guarded(cell):
    try:
        return cell, cell_module.run_cell(cell), None
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a failed cell is reported and left for the next run to retry
        text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        return cell, None, f"{type(exc).__name__}: {text[:300]}"


def run_inline(cells):
    """Serially, in this process (``--workers 0``)."""
    for cell in cells:
        yield _guarded(cell)


def run_local(cells, workers: int):
    """On ``workers`` spawned processes (spawn: TensorFlow does not survive fork)."""
    import multiprocessing

    # PR_SET_PDEATHSIG fires when the thread that forked the worker ends: this generator runs,
    # and so submits (which is when the pool starts its workers), on the sweep's own thread.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_start, initargs=(os.getpid(),))
    try:
        pending = {pool.submit(_guarded, cell) for cell in cells}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run_ray(cells, ray):
    """As Ray tasks, one CPU each, on the runtime ``ray`` is connected to (``ray_runtime.session``).

    A task whose worker dies (killed, out of memory, node lost) is retried by Ray; its cell still
    yields one row, since only the driver records rows and each task returns once."""
    from ... import ray_runtime

    shipped = {}
    for cell in cells:
        for path in _files_of(cell):
            if path not in shipped:
                shipped[path] = ray_runtime.ship(ray, path)
    task = ray.remote(num_cpus=1, max_retries=3)(_ray_task)
    pending = {task.remote(cell, {p: shipped[p] for p in _files_of(cell)}): cell for cell in cells}
    try:
        while pending:
            finished, _ = ray.wait(list(pending), num_returns=1)
            for ref in finished:
                cell = pending.pop(ref)
                try:
                    _, row, error = ray.get(ref)
                except ray.exceptions.RayError as exc:  # retries used up: record it as failed
                    yield cell, None, f"{type(exc).__name__}: {str(exc).strip()[:300]}"
                    continue
                if row is not None:  # the worker's copy of a file has its own path: name ours
                    row.update(zip(cell_module.CELL_FIELDS, cell.key()))
                yield cell, row, error
    finally:
        for ref in pending:
            ray.cancel(ref)


def _files_of(cell) -> list[str]:
    """The files a cell reads by path (a model file, an .npz dataset): shipped to Ray workers."""
    from pathlib import Path

    return [p for p in (cell.architecture, cell.dataset) if Path(p).suffix and Path(p).is_file()]


def _ray_task(cell, files: dict):
    import dataclasses

    from ... import ray_runtime

    _one_thread_per_worker()
    local = {path: str(ray_runtime.materialize(f)) for path, f in files.items()}
    cell = dataclasses.replace(cell, architecture=local.get(cell.architecture, cell.architecture),
                               dataset=local.get(cell.dataset, cell.dataset))
    return _guarded(cell)
