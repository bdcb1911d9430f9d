"""What a pass is: a frozen dataclass with a ``name`` and ``run(ir) -> ir``.

Transformations return new IR and never mutate their input; analyses return facts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pass:
    """A pure IR → IR transformation. Subclasses set ``name`` (used in pipelines and errors)."""

    name = "pass"
    #: IR types this pass accepts; the manager checks before calling ``run``.
    accepts: tuple = ()

    def run(self, ir):  # pragma: no cover - interface
        raise NotImplementedError
