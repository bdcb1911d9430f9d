"""Progress and a time estimate for long runs on simulators and devices (Braket's local
simulator, PECOS, Selene, Aer, IBM jobs), the same from the Python API as from the CLI.

A run opens a ``pace`` over its units (samples, shots, executions). The outermost pace of a run
draws a tqdm bar on stderr and, from the pace of its first units, warns once (one line on the
``bnn2q`` logger) when the whole run looks like taking more than ``WARN_AFTER_S``. Runners nest
their own paces inside a ``step`` of the caller's: a nested pace draws nothing and forwards its
fraction of the step, so one bar shows the whole run however deep the work happens.

    with pace(len(xs), "sample", "braket-local", progress) as p:
        for x in xs:
            with p.step():                       # one unit of p ...
                sample_program(prog, x, shots)   # ... whose own pace over shots moves p's bar"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import time

#: A run projected to take longer than this (seconds) is announced with a warning.
WARN_AFTER_S = 60.0
#: With ``progress=None`` the bar appears only once a run has gone on this long (seconds).
BAR_DELAY_S = 2.0

log = logging.getLogger("bnn2q")
_STEP: contextvars.ContextVar = contextvars.ContextVar("bnn2q_pace_step", default=None)
#: Inside a pace but outside its steps: paces opened there stay silent.
_QUIET = ("quiet",)


class Pace:
    """Units done of a run, its bar, its estimate. Use through ``pace``."""

    def __init__(self, total: float, unit: str, desc: str, progress, advice: str, parent):
        self.total = max(float(total), 1e-12)
        self.unit, self.desc, self.advice = unit, desc, advice
        self.parent = parent  # None: outermost; (Pace, units of it this pace makes up); or _QUIET
        self.done = 0.0
        self.start = time.perf_counter()
        self.warned = False
        self.bar = None
        if parent is None and progress is not False:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit=unit, leave=False, file=sys.stderr,
                            delay=0 if progress else BAR_DELAY_S, dynamic_ncols=True)

    def advance(self, n: float = 1.0) -> None:
        """``n`` more units done."""
        n = min(float(n), self.total - self.done)
        if n <= 0:
            return
        self.done += n
        if self.parent is _QUIET:
            return
        if self.parent is not None:
            outer, share = self.parent
            outer.advance(n / self.total * share)
            return
        if self.bar is not None:
            self.bar.update(n)
        self._estimate()

    def describe(self, desc: str) -> None:
        """A new label for the bar (e.g. the layer now running)."""
        if self.bar is not None:
            self.bar.set_description_str(desc, refresh=False)

    @contextlib.contextmanager
    def step(self, units: float = 1.0):
        """``units`` of this pace, done by the block: paces opened inside forward their progress
        here; whatever they did not report is added when the block ends."""
        before = self.done
        token = _STEP.set((self, float(units)))
        try:
            yield
        finally:
            _STEP.reset(token)
            self.advance(before + units - self.done)

    def restart(self) -> None:
        """The work proper starts now (what came before — imports, start-up — is not per unit)."""
        if self.parent is _QUIET:
            return
        if self.parent is not None:
            self.parent[0].restart()
        elif self.done == 0:
            self.start = time.perf_counter()
            if self.bar is not None:
                self.bar.reset(total=self.bar.total)

    def _estimate(self) -> None:
        """Once, while the run is young: warn if its pace so far projects past WARN_AFTER_S."""
        if self.warned or self.done >= self.total / 2:
            return
        elapsed = time.perf_counter() - self.start
        projected = elapsed / self.done * self.total
        if projected > WARN_AFTER_S:
            self.warned = True
            if self.bar is not None:
                self.bar.clear()  # the warning on a line of its own, the bar drawn again below it
            log.warning(f"bnn2q: {self.desc} will take about {duration(projected)} (at the pace of its first "
                        f"{self.done / self.total:.1%}: {duration(elapsed / self.done)} per {self.unit}){self.advice}")
            if self.bar is not None:
                self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextlib.contextmanager
def pace(total: float, unit: str, desc: str, progress=None, advice: str = ""):
    """A run of ``total`` ``unit``s. ``progress``: True draws the bar at once, None once the run
    has gone on for ``BAR_DELAY_S``, False never (the estimate still warns). Inside another
    pace's ``step`` it draws nothing and moves that pace instead. ``advice`` ends the warning
    ("; fewer shots …")."""
    p = Pace(total, unit, desc, progress, advice, _STEP.get())
    token = _STEP.set(_QUIET)  # a pace inside this one but outside its steps has nothing to move
    try:
        yield p
    finally:
        _STEP.reset(token)
        p.close()


def duration(seconds: float) -> str:
    """3.2 s, 4 min, 1.5 h."""
    if seconds < 60:
        return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def shot_chunks(shots: int, most: int = 20, least: int = 10) -> list[int]:
    """How a simulator's ``shots`` are split so a pace can time them and move a bar: one shot
    first (its time is the first estimate), the rest in at most ``most`` near-equal runs of at
    least ``least`` shots. A function of ``shots`` alone, so a seed reproduces the outcomes."""
    shots = int(shots)
    if shots <= 1:
        return [shots]
    rest = shots - 1
    k = max(1, min(most, rest // least))
    return [1] + [rest // k + (1 if i < rest % k else 0) for i in range(k)]


def sample_chunks(shots: int) -> list[int]:
    """How each sample's shots are split when many samples run in turn (``execute``): its first
    shot alone (the first sample's times the first estimate), then the rest in one run — the same
    for every sample, so a sample's outcomes never depend on its place in a call or a Ray block."""
    return shot_chunks(shots, most=1)


def each_sample(backend: str, sample_program, prog, xs, shots: int, seeds) -> list:
    """``sample_program(prog, x, shots, seed, chunks)`` for each sample of ``xs`` with its seed,
    in turn, one step of a pace per sample, each sample's shots in ``sample_chunks``."""
    out = []
    with pace(len(xs), "sample", backend) as p:
        for x, seed in zip(xs, seeds):
            with p.step():
                out.append(sample_program(prog, x, shots, seed, sample_chunks(shots)))
    return out
