"""What a pass is: a frozen dataclass with a ``name`` and ``run(ir) -> ir``.

Transformations return new IR and never mutate their input; analyses return facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Pass:
    """A pure IR → IR transformation. Subclasses set ``name`` (used in pipelines and errors)."""

    name: ClassVar[str] = "pass"
    #: IR types this pass accepts; the manager checks before calling ``run``. Class
    #: attributes, not fields, so a subclass's options are its only constructor arguments.
    accepts: ClassVar[tuple] = ()
    #: IR types beyond Graph/Network this pass may return.
    returns: ClassVar[tuple] = ()

    def run(self, ir):  # pragma: no cover - interface
        raise NotImplementedError
