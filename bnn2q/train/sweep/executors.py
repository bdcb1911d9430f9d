"""Where cells run: in this process, on local worker processes, or on a Ray cluster.

Each executor yields ``(cell, row, error)`` as cells finish, in completion order, so the runner
can record every finished row at once; exactly one of row and error is None."""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from ...errors import InputError
from . import cell as cell_module


def _one_thread_per_worker() -> None:
    """Worker start-up: one TensorFlow thread each, so N workers use N cores, not N²."""
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

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_one_thread_per_worker)
    try:
        pending = {pool.submit(_guarded, cell) for cell in cells}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run_ray(cells, address: str):
    """As Ray tasks (one CPU each) on the cluster at ``address`` (``auto`` for the local one)."""
    try:
        import ray
    except ImportError:
        raise InputError(
            "--ray needs Ray, an optional extra: pip install 'bnn2q[ray]' (or run without --ray "
            "to use local processes)"
        ) from None
    ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
    task = ray.remote(num_cpus=1)(_ray_task)
    pending = [task.remote(cell) for cell in cells]
    try:
        while pending:
            finished, pending = ray.wait(pending, num_returns=1)
            for ref in finished:
                yield ray.get(ref)
    finally:
        for ref in pending:
            ray.cancel(ref)


def _ray_task(cell):
    _one_thread_per_worker()
    return _guarded(cell)
