"""CancelTerms: sums in which a value appears with coefficients that cancel, rewritten without it.

PyTorch writes its straight-through estimators as arithmetic that the exporter keeps and only
the gradient needs: ``x + (sign(x) − x).detach()`` exports as ``Add(x, Sub(Sign(x), x))``, and
the hard-tanh estimator ``c + (sign(x) − c).detach()`` with c = clip(x, −1, 1) likewise. The
forward value is the sign itself; read literally, the graph would also carry x (or its clip)
past the sign as a real value. This pass expands each sum through additions and uniform
scalings, drops every value whose coefficients add up to exactly 0, and rebuilds what is left —
the sign alone, in both idioms. Sums without a cancellation are left as they are."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import PassError
from ..ir import Add, Affine, Graph, Node
from .base import Pass


@dataclass(frozen=True)
class CancelTerms(Pass):
    """Σ_i c_i v_i + k with cancelling terms → the remaining terms (or an alias of one value)."""

    name = "cancel-terms"
    accepts = (Graph,)

    def run(self, graph: Graph) -> Graph:
        producer = {n.output: n for n in graph.nodes}
        alias: dict[str, str] = {}
        nodes: list[Node] = []
        for node in graph.nodes:
            node = replace(node, inputs=tuple(alias.get(v, v) for v in node.inputs))
            producer[node.output] = node
            if not isinstance(node.op, Add):
                nodes.append(node)
                continue
            terms, constant, cancelled = _expand(node.output, producer)
            if not cancelled:
                nodes.append(node)
                continue
            rebuilt = _rebuild(node, terms, constant)
            if isinstance(rebuilt, str):
                alias[node.output] = rebuilt
                continue
            for new in rebuilt:
                producer[new.output] = new
            nodes += rebuilt
        return replace(graph, nodes=tuple(nodes), output=alias.get(graph.output, graph.output))


def _expand(value: str, producer: dict) -> tuple[dict, np.ndarray, bool]:
    """({value: coefficient}, constant, whether some value cancelled) of ``value`` expanded
    through Add and Affine ops of one uniform scale."""
    terms: dict[str, float] = {}
    seen: dict[str, int] = {}
    constant = np.zeros(())

    def walk(v: str, coeff: float) -> None:
        nonlocal constant
        node = producer.get(v)
        if node is not None and isinstance(node.op, Add):
            for u in node.inputs:
                walk(u, coeff)
            return
        if node is not None and isinstance(node.op, Affine) and _uniform(node.op.scale):
            constant = constant + coeff * node.op.offset
            walk(node.inputs[0], coeff * float(node.op.scale.reshape(-1)[0]))
            return
        terms[v] = terms.get(v, 0.0) + coeff
        seen[v] = seen.get(v, 0) + 1

    walk(value, 1.0)
    cancelled = any(seen[v] > 1 and terms[v] == 0.0 for v in terms)
    return {v: c for v, c in terms.items() if c != 0.0}, constant, cancelled


def _uniform(scale: np.ndarray) -> bool:
    flat = scale.reshape(-1)
    return flat.size > 0 and bool(np.all(flat == flat[0])) and flat[0] != 0.0


def _rebuild(node: Node, terms: dict, constant: np.ndarray):
    """The value an emptied sum aliases, or the nodes computing Σ c_i v_i + k into ``node.output``."""
    name = node.op.name
    if not terms:
        raise PassError(f"add {name!r}: its terms cancel out completely, so it is a constant; bnn2q reads "
                        "sums that depend on the input")
    if len(terms) == 1 and not np.any(constant):
        ((value, coeff),) = terms.items()
        if coeff == 1.0:
            return value
        return [Node(Affine(name, np.array(coeff), np.array(0.0)), (value,), node.output)]
    nodes, parts = [], []
    for k, (value, coeff) in enumerate(terms.items()):
        if coeff != 1.0:
            out = f"{node.output}.term{k}"
            nodes.append(Node(Affine(f"{name}.term{k}", np.array(coeff), np.array(0.0)), (value,), out))
            value = out
        parts.append(value)
    if len(parts) == 1:
        nodes.append(Node(Affine(name, np.array(1.0), constant), (parts[0],), node.output))
    elif np.any(constant):
        nodes.append(Node(Add(name), tuple(parts), f"{node.output}.sum"))
        nodes.append(Node(Affine(f"{name}.constant", np.array(1.0), constant), (f"{node.output}.sum",), node.output))
    else:
        nodes.append(Node(Add(name), tuple(parts), node.output))
    return nodes
