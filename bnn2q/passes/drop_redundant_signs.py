"""DropRedundantSigns: a sign of values that are already spins is the identity; remove it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..ir import Gather, Graph, Sign
from ..ir.ops import SPIN_PRESERVING
from .base import Pass


def spin_values(graph: Graph) -> set[str]:
    """Values that hold only ±1: sign outputs, and pools/layouts/concatenations of them."""
    spins: set[str] = set()
    for node in graph.nodes:
        padded = isinstance(node.op, Gather) and node.op.index.size and node.op.index.min() < 0
        if isinstance(node.op, Sign) or (
            isinstance(node.op, SPIN_PRESERVING) and not padded and all(v in spins for v in node.inputs)
        ):
            spins.add(node.output)
    return spins


@dataclass(frozen=True)
class DropRedundantSigns(Pass):
    """Sign(y) = y for y ∈ {±1}: readers of such a sign read its input instead (a model that
    binarizes twice, e.g. an ``Activation('ste_sign')`` before a layer whose input quantizer
    is also a sign)."""

    name = "drop-redundant-signs"
    accepts = (Graph,)

    def run(self, graph: Graph) -> Graph:
        spins = spin_values(graph)
        alias: dict[str, str] = {}
        nodes = []
        for node in graph.nodes:
            inputs = tuple(alias.get(v, v) for v in node.inputs)
            if isinstance(node.op, Sign) and inputs[0] in spins:
                alias[node.output] = inputs[0]
                continue
            nodes.append(replace(node, inputs=inputs))
        return replace(graph, nodes=tuple(nodes), output=alias.get(graph.output, graph.output))
