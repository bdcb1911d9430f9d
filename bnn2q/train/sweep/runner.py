"""Run a sweep: skip cells already in the CSV, run the rest, record each row as it finishes,
then write the plots and the Markdown summary from everything recorded."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import Bnn2qError, InputError
from . import executors
from .grid import SweepConfig
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

    Args:
        workers: local worker processes (0: run in this process).
        ray_address: run on this Ray cluster instead (``auto`` for a local one).
    """
    from ...datasets import load_dataset
    from .cell import build_model

    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        if out_dir.exists() or not out_dir.parent.is_dir():
            raise InputError(f"output directory {str(out_dir)!r} cannot be created; check the path")
        out_dir.mkdir()
    data = load_dataset(config.dataset)
    if max(config.train_sizes) > len(data.y_train):
        raise InputError(f"train size {max(config.train_sizes)} exceeds the {len(data.y_train)} "
                         f"training images of {data.name}")
    if not Path(config.architecture).suffix:
        build_model(config.architecture, data, 0, config.family)  # one clear line for a mismatched spec
    elif not Path(config.architecture).is_file():
        raise InputError(f"model file {config.architecture!r} not found; check the path")
    paths = output_paths(out_dir, data.name)
    done = {row_key(r) for r in read_rows(paths["csv"])}
    cells = config.cells()
    pending = [c for c in cells if c.key() not in done]
    outcome = SweepOutcome(paths["csv"], len(cells), len(cells) - len(pending))
    if progress:
        print(f"sweep: {len(cells)} cells, {outcome.already_done} already in {paths['csv']}, "
              f"{len(pending)} to run", file=sys.stderr, flush=True)
    if pending:
        _execute(pending, paths["csv"], outcome, workers, ray_address, progress)
    _report(config, data, paths, outcome)
    return outcome


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


def _execute(pending, csv_path, outcome, workers, ray_address, progress):
    if ray_address:
        results = executors.run_ray(pending, ray_address)
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
