"""FuseAffine: merge an Affine into the Affine it reads when nothing else reads that one."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import PassError
from ..ir import Affine, Graph
from .base import Pass


@dataclass(frozen=True)
class FuseAffine(Pass):
    """a₂ (a₁ v + c₁) + c₂  =  (a₂ a₁) v + (a₂ c₁ + c₂). Kernel scale, bias and folded
    batch-norm of one layer become a single (a, c)."""

    name = "fuse-affine"
    accepts = (Graph,)

    def run(self, graph: Graph) -> Graph:
        readers: dict[str, int] = {}
        for node in graph.nodes:
            for v in node.inputs:
                readers[v] = readers.get(v, 0) + 1
        readers[graph.output] = readers.get(graph.output, 0) + 1
        fused = {}  # value of a first Affine → its node, while it waits for its one reader
        nodes = []
        for node in graph.nodes:
            first = fused.pop(node.inputs[0], None) if len(node.inputs) == 1 else None
            if first is not None and isinstance(node.op, Affine):
                node = replace(node, op=_compose(first.op, node.op), inputs=first.inputs)
            elif first is not None:
                nodes.append(first)
            if isinstance(node.op, Affine) and readers.get(node.output, 0) == 1:
                fused[node.output] = node
            else:
                nodes.append(node)
        nodes += fused.values()  # an Affine read only by the output
        order = {n.output: i for i, n in enumerate(graph.nodes)}
        return replace(graph, nodes=tuple(sorted(nodes, key=lambda n: order[n.output])))


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
