"""CancelTerms: PyTorch's straight-through estimators, x + (sign(x) − x) and c + (sign(x) − c)
with c the hard-tanh clip, read as the sign they compute; sums without cancellation untouched."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import PassError
from bnn2q.ir import INPUT, Add, Affine, Clip, Dense, Graph, Node, Sign
from bnn2q.passes import CancelTerms, canonicalize
from bnn2q.host.kernels import Kernels


def _ste_graph(clip: bool) -> Graph:
    rng = np.random.default_rng(0)
    nodes = [Node(Dense("fc1", rng.normal(size=(5, 4))), (INPUT,), "h")]
    kept = "h"
    if clip:
        nodes.append(Node(Clip("htanh", np.array(-1.0), np.array(1.0)), ("h",), "c"))
        kept = "c"
    nodes += [
        Node(Sign("sign"), ("h",), "s"),
        Node(Affine("sub.negate", np.array(-1.0), np.array(0.0)), (kept,), "neg"),
        Node(Add("sub"), ("s", "neg"), "d"),
        Node(Add("ste"), (kept, "d"), "y"),
        Node(Dense("fc2", rng.normal(size=(3, 5))), ("y",), "logits"),
    ]
    return Graph((4,), tuple(nodes), "logits", "ste")


@pytest.mark.parametrize("clip", [False, True], ids=["detach", "hard-tanh"])
def test_straight_through_estimators_read_as_the_sign(clip):
    graph = _ste_graph(clip)
    out = CancelTerms().run(graph)
    fc2 = next(n for n in out.nodes if n.op.name == "fc2")
    assert fc2.inputs == ("s",)
    net = canonicalize(graph)
    assert [s.op.name for s in net.steps] == ["fc1", "sign", "fc2"]
    x = np.random.default_rng(1).normal(size=(50, 4))
    h = x @ graph.nodes[0].op.weight.T
    want = np.where(h >= 0, 1.0, -1.0) @ graph.nodes[-1].op.weight.T
    np.testing.assert_allclose(bnn2q.simulate(net, x, shots=1).logits[:, 0], want, rtol=1e-12)


def _evaluate(graph: Graph, x: np.ndarray) -> np.ndarray:
    values = {INPUT: x}
    for node in graph.nodes:
        values[node.output] = Kernels().run(node.op, [values[v] for v in node.inputs],
                                            [graph.shapes[v] for v in node.inputs], graph.shapes[node.output])
    return values[graph.output]


def test_sums_without_cancellation_stay_and_scaled_terms_cancel():
    nodes = [
        Node(Dense("a", np.ones((2, 2))), (INPUT,), "a"),
        Node(Dense("b", np.eye(2)), (INPUT,), "b"),
        Node(Add("residual"), ("a", "b"), "r"),
        Node(Affine("half", np.array(0.5), np.array(1.0)), ("a",), "h"),
        Node(Affine("minus_half", np.array(-0.5), np.array(0.0)), ("a",), "m"),
        Node(Add("both"), ("h", "m", "b"), "c"),
        Node(Add("out"), ("c", "r"), "out"),
    ]
    graph = Graph((2,), tuple(nodes), "out")
    out = CancelTerms().run(graph)
    assert next(n for n in out.nodes if n.output == "r").inputs == ("a", "b")  # nothing cancels there
    c = next(n for n in out.nodes if n.output == "c")  # 0.5 a + 1 − 0.5 a + b = b + 1
    assert isinstance(c.op, Affine) and c.inputs == ("b",) and float(c.op.offset) == 1.0
    x = np.array([[0.3, -2.0]])
    np.testing.assert_allclose(_evaluate(out, x), _evaluate(graph, x), rtol=1e-15)
    np.testing.assert_allclose(_evaluate(out, x), [[0.3 + 1 + 0.3 - 1.7, -2.0 + 1 - 2.0 - 1.7]])


def test_a_sum_that_cancels_entirely_is_refused():
    nodes = [Node(Dense("a", np.ones((2, 2))), (INPUT,), "a"),
             Node(Affine("neg", np.array(-1.0), np.array(0.0)), ("a",), "n"),
             Node(Add("zero"), ("a", "n"), "z")]
    with pytest.raises(PassError, match="'zero': its terms cancel out completely"):
        CancelTerms().run(Graph((2,), tuple(nodes), "z"))
