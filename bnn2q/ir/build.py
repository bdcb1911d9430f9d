"""Hand-made networks: a chain of layers as a Graph (tests, benchmarks, examples).

    chain((4,), [Layer(Dense("d1", W1), scale=a1, offset=c1),
                 Layer(Dense("out", W2))])

Each layer is ``linear → [max-pool of sums] → affine → sign → [max-pool of bits]``; the last
layer has no sign (the logits)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .graph import INPUT, Graph, Node
from .ops import Affine, MaxPool2D, Sign


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer of a chain: u = scale · pool(linear(v)) + offset, then sign (if not last),
    then ``or_pool`` on the spins (a max-pool after the sign: OR of bits)."""

    linear: object
    scale: object = None
    offset: object = None
    pool: MaxPool2D | None = None
    or_pool: MaxPool2D | None = None


def sequential(input_shape, ops, source: str = "<built>") -> Graph:
    """The Graph of ``ops`` applied one after another (each reads the previous output)."""
    nodes, value = [], INPUT
    for op in ops:
        out = f"{op.name}:out"
        nodes.append(Node(op, (value,), out))
        value = out
    return Graph(tuple(input_shape), tuple(nodes), value, source)


def chain(input_shape, layers, source: str = "<built>", binarize_input: bool = False) -> Graph:
    """The Graph of a chain of ``Layer``s on an input of ``input_shape``."""
    nodes: list[Node] = []
    value = INPUT

    def add(op, *inputs):
        nonlocal value
        out = f"{op.name}:out"
        nodes.append(Node(op, inputs or (value,), out))
        value = out

    if binarize_input:
        add(Sign("input_sign"))
    for k, layer in enumerate(layers):
        last = k == len(layers) - 1
        add(layer.linear)
        if layer.pool is not None:
            add(layer.pool)
        if layer.scale is not None or layer.offset is not None:
            n = np.asarray(layer.scale if layer.scale is not None else layer.offset).shape
            scale = np.ones(n) if layer.scale is None else layer.scale
            offset = np.zeros(n) if layer.offset is None else layer.offset
            add(Affine(f"{layer.linear.name}.affine", scale, offset))
        if not last:
            add(Sign(f"{layer.linear.name}.sign"))
            if layer.or_pool is not None:
                add(layer.or_pool)
    return Graph(tuple(input_shape), tuple(nodes), value, source)
