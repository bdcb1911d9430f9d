"""A frontend's output: the network as a DAG of ops over named values.

The model input is the value ``INPUT``; every ``Node`` reads earlier values and writes one new
value; ``output`` names the logits. Nodes are stored in execution (topological) order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..errors import PassError

INPUT = "input"


@dataclass(frozen=True, eq=False)
class Node:
    """``output = op(*inputs)``."""

    op: object
    inputs: tuple[str, ...]
    output: str

    def __post_init__(self):
        object.__setattr__(self, "inputs", tuple(self.inputs))


@dataclass(frozen=True, eq=False)
class Graph:
    """A feed-forward network: ``nodes`` in execution order from ``INPUT`` to ``output``.

    ``input_shape`` excludes the batch axis (channels-last)."""

    input_shape: tuple[int, ...]
    nodes: tuple[Node, ...]
    output: str
    source: str = "<model>"

    def __post_init__(self):
        object.__setattr__(self, "input_shape", tuple(int(d) for d in self.input_shape))
        object.__setattr__(self, "nodes", tuple(self.nodes))

    @cached_property
    def shapes(self) -> dict[str, tuple]:
        """The shape of every value, checking that each node reads values defined before it and
        fits their shapes (raises PassError naming the node)."""
        shapes = {INPUT: self.input_shape}
        for node in self.nodes:
            missing = [v for v in node.inputs if v not in shapes]
            if missing:
                raise PassError(f"{node.op.name!r} reads {missing[0]!r}, which no earlier node writes")
            if node.output in shapes:
                raise PassError(f"{node.op.name!r} writes {node.output!r}, which is already defined")
            shapes[node.output] = tuple(node.op.out_shape(*(shapes[v] for v in node.inputs)))
        if self.output not in shapes:
            raise PassError(f"{self.source}: the output {self.output!r} is not computed by any node")
        return shapes

    def __repr__(self) -> str:
        return f"Graph({self.source!r}: input {self.input_shape}, {len(self.nodes)} nodes → {self.output!r})"
