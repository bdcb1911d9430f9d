"""A small pass manager: runs passes in order, checking what each one takes and returns."""

from __future__ import annotations

from ..errors import PassError
from .. import ir as _ir

IR_TYPES = (_ir.Graph, _ir.Network)


class PassManager:
    """Run a list of passes; each must accept the IR it is given and return IR."""

    def __init__(self, passes, ir_types: tuple = IR_TYPES):
        self.passes = list(passes)
        self.ir_types = ir_types

    def run(self, ir):
        for p in self.passes:
            if p.accepts and not isinstance(ir, p.accepts):
                raise PassError(
                    f"pass {p.name!r} takes {' or '.join(t.__name__ for t in p.accepts)}, "
                    f"got {type(ir).__name__}; check the pipeline order"
                )
            out = p.run(ir)
            if not isinstance(out, self.ir_types + p.returns):
                raise PassError(f"pass {p.name!r} returned {type(out).__name__}, not bnn2q IR")
            ir = out
        return ir
