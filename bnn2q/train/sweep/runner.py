"""Run a sweep: skip cells already in the CSV, run the rest, record each row as it finishes,
then write the plots and the Markdown summary from everything recorded."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import Bnn2qError, InputError
from . import executors
from .grid import SweepConfig
from .lock import OutputLock
from .report import title_of, write_report
from .store import append_row, read_rows, row_key

#: Settings every row shown together must share (the swept axes may differ).
SHARED = ("dataset", "architecture", "family", "optimizer", "momentum", "epochs", "shots", "vote",
          "val_size", "lr", "batch_size")


@dataclass
class SweepOutcome:
    """What one invocation did, and where its outputs are."""

    csv: Path
    total: int
    already_done: int
    ran: int = 0
    failed: list = field(default_factory=list)  # [(cell, error line)]
    plots: list = field(default_factory=list)
    summary: Path | None = None


def output_paths(out_dir: Path, dataset_name: str) -> dict:
    stem = Path(dataset_name).stem
    return {
        "csv": out_dir / f"{stem}-sweep.csv",
        "quantumness": out_dir / f"{stem}-error-vs-quantumness.png",
        "g": out_dir / f"{stem}-error-vs-g.png",
        "summary": out_dir / f"{stem}-summary.md",
    }


def run_sweep(config: SweepConfig, out_dir, workers: int = 2, ray_address: str | None = None,
              progress: bool = True) -> SweepOutcome:
    """Train and evaluate every cell of ``config`` not yet recorded in ``out_dir``'s CSV.

    Everything that can be refused is checked before ``out_dir`` is created; while the sweep runs
    it holds ``out_dir``'s lock (a second sweep into it refuses, see ``lock.py``).

    Args:
        workers: local worker processes (0: run in this process); with ``ray_address="local"``,
            the CPUs of the Ray runtime it starts.
        ray_address: run the cells as Ray tasks instead: ``local``, ``auto``, ``HOST:PORT`` or
            ``ray://HOST:PORT`` (see ``bnn2q.ray_runtime``).
    """
    out_dir = Path(out_dir)
    data = _check(config, out_dir, ray_address)
    created = not out_dir.is_dir()
    if created:
        out_dir.mkdir()
    try:
        with OutputLock(out_dir), _runtime(ray_address, workers) as ray:
            paths = output_paths(out_dir, data.name)
            done = {row_key(r) for r in read_rows(paths["csv"])}
            cells = config.cells()
            pending = [c for c in cells if c.key() not in done]
            outcome = SweepOutcome(paths["csv"], len(cells), len(cells) - len(pending))
            if progress:
                print(f"sweep: {len(cells)} cells, {outcome.already_done} already in {paths['csv']}, "
                      f"{len(pending)} to run", file=sys.stderr, flush=True)
            if pending:
                _execute(pending, paths["csv"], outcome, workers, ray, progress)
            _report(config, data, paths, outcome)
    except BaseException:
        if created and not any(out_dir.iterdir()):  # refused or stopped before its first row
            out_dir.rmdir()
        raise
    return outcome


@contextlib.contextmanager
def _runtime(ray_address: str | None, workers: int):
    """The Ray session the cells run in, or None for local execution."""
    if ray_address is None:
        yield None
        return
    from ... import ray_runtime

    with ray_runtime.session(ray_address, num_cpus=workers or None) as ray:
        yield ray


def _check(config: SweepConfig, out_dir: Path, ray_address: str | None):
    """Refuse bad arguments (one line each) before anything is created; returns the dataset."""
    from ...datasets import load_dataset
    from .cell import build_model

    if not out_dir.is_dir() and (out_dir.exists() or not out_dir.parent.is_dir()):
        raise InputError(f"output directory {str(out_dir)!r} cannot be created; check the path")
    if ray_address is not None:
        from ... import ray_runtime

        ray_runtime.check_address(ray_address)
        ray_runtime.import_ray()
    data = load_dataset(config.dataset)
    if max(config.train_sizes) > len(data.y_train):
        raise InputError(f"train size {max(config.train_sizes)} exceeds the {len(data.y_train)} "
                         f"training images of {data.name}")
    # One clear line for a mismatched spec, a missing file or a model file bnn2q refuses
    # (checked as data, nothing run: frontends.keras_file), before anything is created.
    build_model(config.architecture, data, 0, config.family)
    if out_dir.is_dir():
        read_rows(output_paths(out_dir, data.name)["csv"])  # one line for a foreign CSV
    return data


class _Interrupts:
    """Ctrl-C during a sweep: raise KeyboardInterrupt as usual, and remember it, so that an
    interrupt Python swallowed (one landing in a finalizer prints "Exception ignored") still
    stops the sweep after the cell in progress."""

    def __init__(self):
        self.hit = False
        self._previous = None

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.hit = True
        raise KeyboardInterrupt

    def check(self):
        if self.hit:
            raise KeyboardInterrupt

    def __exit__(self, *exc):
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def _execute(pending, csv_path, outcome, workers, ray, progress):
    if ray is not None:
        results = executors.run_ray(pending, ray)
    elif workers > 0:
        results = executors.run_local(pending, min(workers, len(pending)))
    else:
        results = executors.run_inline(pending)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(pending), desc="sweep", unit="cell", file=sys.stderr)
    try:
        with _Interrupts() as interrupts:
            for cell, row, error in results:
                if row is not None:
                    append_row(csv_path, row)
                    outcome.ran += 1
                else:
                    outcome.failed.append((cell, error))
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix_str(f"τ={cell.quantumness:g} g={cell.g:.3g} n={cell.train_size} "
                                        + (f"err={float(row['val_error']):.3f}" if row else "FAILED"))
                interrupts.check()
    finally:
        if bar is not None:
            bar.close()


def _report(config, data, paths, outcome):
    rows = [r for r in read_rows(paths["csv"])
            if all(r[k] == _csv(getattr(config, k)) for k in SHARED)]
    title = title_of({k: _csv(getattr(config, k)) for k in SHARED}, data.name)
    outcome.plots, outcome.summary = write_report(rows, paths, title, data.n_classes, config.units)


def _csv(value) -> str:
    from .grid import format_value

    return format_value(value)


class SweepFailed(Bnn2qError):
    """Some cells raised; their rows are missing and a rerun retries them."""
