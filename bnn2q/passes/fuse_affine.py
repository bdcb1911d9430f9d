"""FuseAffine: merge runs of consecutive Affine ops into one."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import PassError
from ..ir import Affine, Graph
from .base import Pass


@dataclass(frozen=True)
class FuseAffine(Pass):
    """a₂ (a₁ z + c₁) + c₂  =  (a₂ a₁) z + (a₂ c₁ + c₂). Kernel scale, bias and folded
    batch-norm of one layer become a single (a, c)."""

    name = "fuse-affine"
    accepts = (Graph,)

    def run(self, graph: Graph) -> Graph:
        ops: list = []
        for op in graph.ops:
            if isinstance(op, Affine) and ops and isinstance(ops[-1], Affine):
                ops[-1] = _compose(ops[-1], op)
            else:
                ops.append(op)
        return replace(graph, ops=tuple(ops))


def _compose(first: Affine, second: Affine) -> Affine:
    try:
        scale = np.broadcast_arrays(first.scale, second.scale)[0] * second.scale
        offset = second.scale * first.offset + second.offset
    except ValueError:
        raise PassError(
            f"affine ops {first.name!r} and {second.name!r} have incompatible sizes "
            f"{first.scale.shape} and {second.scale.shape}"
        ) from None
    return Affine(f"{first.name}+{second.name}", scale, offset)
