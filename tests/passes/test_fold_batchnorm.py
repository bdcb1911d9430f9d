"""FoldBatchNorm, FuseAffine and BuildNetwork: the folded network computes the same
pre-activations, and the graph is placed on host and core as documented."""

from __future__ import annotations

import numpy as np
import pytest

from bnn2q.errors import PassError
from bnn2q.ir import INPUT, Affine, BatchNorm, Dense, Elementwise, Graph, Node, Quantize, Sign
from bnn2q.ir.build import sequential
from bnn2q.passes import BuildNetwork, FoldBatchNorm, FuseAffine, PassManager, canonicalize
from bnn2q.host.forward import HostPass

RNG = np.random.default_rng(0)


def _bn(name, n, gamma=None, variance=None, epsilon=1e-3):
    return BatchNorm(name, RNG.normal(size=n) if gamma is None else gamma, RNG.normal(size=n),
                     RNG.normal(size=n) * 3, RNG.uniform(0.5, 4, size=n) if variance is None else variance,
                     epsilon)


def _graph(bn1=None, bn2=None):
    w1 = RNG.choice([-1, 1], size=(6, 5))
    w2 = RNG.choice([-1, 1], size=(3, 6))
    ops = [Dense("d1", w1), Affine("d1.bias", np.ones(6), RNG.normal(size=6)), bn1 or _bn("bn1", 6),
           Sign("s1"), Dense("d2", w2), bn2 or _bn("bn2", 3)]
    return sequential((5,), ops, "test")


def _evaluate_unfolded(graph, x):
    """Run the op graph directly, batch-norm formula included (the 'before')."""
    y, outs = x, []
    for node in graph.nodes:
        op = node.op
        if isinstance(op, Dense):
            y = y @ op.weight.T
        elif isinstance(op, Affine):
            y = op.scale * y + op.offset
        elif isinstance(op, BatchNorm):
            y = op.gamma * (y - op.mean) / np.sqrt(op.variance + op.epsilon) + op.beta
        elif isinstance(op, Sign):
            outs.append(y)
            y = np.where(y >= 0, 1.0, -1.0)
    return outs + [y]


def test_folded_preactivations_equal_the_batchnorm_formula():
    graph = _graph(bn1=_bn("bn1", 6, gamma=np.array([1.0, -2.0, 0.5, -0.1, 3.0, -1.0])))
    x = RNG.normal(size=(40, 5))
    net = canonicalize(graph)
    before = _evaluate_unfolded(graph, x)
    host = HostPass(net, x)
    u1 = host.preactivation(0)
    np.testing.assert_allclose(u1, before[0], rtol=1e-12, atol=1e-12)
    host.measured(0, (u1 >= 0).astype(np.uint8))
    np.testing.assert_allclose(host.logits(), before[1], rtol=1e-12, atol=1e-12)
    affine = net.producer[net.hidden[0].preactivation].op
    assert isinstance(affine, Affine) and np.any(affine.scale < 0), "negative γ gives a negative a_j"


def test_fold_and_fuse_leave_one_affine_per_layer():
    graph = PassManager([FoldBatchNorm(), FuseAffine()]).run(_graph())
    assert [type(n.op).__name__ for n in graph.nodes] == ["Dense", "Affine", "Sign", "Dense", "Affine"]
    assert graph.nodes[1].op.name == "d1.bias+bn1"
    assert graph.nodes[2].inputs == (graph.nodes[1].output,)


def test_fuse_keeps_an_affine_that_two_nodes_read():
    a = Affine("a", np.array([2.0]), np.array([1.0]))
    b = Affine("b", np.array([3.0]), np.array([0.0]))
    nodes = (Node(Dense("d", np.ones((2, 2))), (INPUT,), "z"), Node(a, ("z",), "za"), Node(b, ("za",), "zb"),
             Node(Sign("s"), ("za",), "y"), Node(Dense("e", np.ones((2, 2))), ("y",), "w"))
    graph = FuseAffine().run(Graph((2,), nodes, "w"))
    assert [n.op.name for n in graph.nodes] == ["d", "a", "b", "s", "e"]


def test_passes_are_pure():
    graph = _graph()
    FoldBatchNorm().run(graph)
    assert isinstance(graph.nodes[2].op, BatchNorm)


@pytest.mark.parametrize(
    "bn,match",
    [
        (lambda: _bn("bad", 6, gamma=np.array([1, np.nan, 1, 1, 1, 1.0])), r"batch-norm 'bad': gamma holds NaN or inf"),
        (lambda: _bn("bad", 6, variance=np.array([1, 1, np.inf, 1, 1, 1.0])), r"batch-norm 'bad': variance holds NaN or inf"),
        (lambda: _bn("zero", 6, variance=np.zeros(6), epsilon=0.0), r"batch-norm 'zero': variance \+ epsilon <= 0"),
    ],
)
def test_bad_statistics_are_rejected(bn, match):
    with pytest.raises(PassError, match=match):
        canonicalize(_graph(bn1=bn()))


def test_manager_names_a_pass_given_the_wrong_ir():
    net = canonicalize(_graph())
    with pytest.raises(PassError, match="pass 'fold-batchnorm' takes Graph, got Network"):
        PassManager([FoldBatchNorm()]).run(net)


def test_manager_names_a_pass_that_returns_no_ir():
    class Broken(FoldBatchNorm):
        name = "broken"

        def run(self, graph):
            return None

    with pytest.raises(PassError, match="pass 'broken' returned NoneType, not bnn2q IR"):
        PassManager([Broken()]).run(_graph())


def test_stages_of_a_chain():
    net = canonicalize(_graph())
    assert [s.stage for s in net.steps] == ["encoder", "encoder", "core", "head", "head"]
    assert [layer.name for layer in net.hidden] == ["d1"] and net.hidden[0].width == 6


def test_real_nonlinearity_between_signs_is_a_core_step():
    ops = (Dense("d1", np.ones((3, 4))), Sign("s1"), Dense("d2", np.ones((3, 3))),
           Elementwise("act", "relu"), Sign("s2"), Dense("d3", np.ones((2, 3))))
    net = BuildNetwork().run(sequential((4,), ops))
    assert {s.op.name: s.stage for s in net.steps}["act"] == "core" and len(net.hidden) == 2


def test_multibit_quantizer_between_signs_is_refused_and_before_the_first_sign_is_encoding():
    quant = Quantize("q", np.array(0.25), np.array(0.0), -2, 1)
    ops = (Dense("d1", np.ones((3, 4))), Sign("s1"), Dense("d2", np.ones((3, 3))), quant, Sign("s2"),
           Dense("d3", np.ones((2, 3))))
    with pytest.raises(PassError, match=r"^'q' is a 2-bit quantizer \(4 levels\) between two sign layers; a "
                       r"neuron is one qubit with one bit"):
        BuildNetwork().run(sequential((4,), ops))
    net = BuildNetwork().run(sequential((4,), ops[3:4] + ops[:2] + ops[-1:]))
    assert net.steps[0].stage == "encoder" and len(net.hidden) == 1


def test_multibit_activations_without_a_sign_are_refused_as_such():
    ops = (Dense("d1", np.ones((3, 4))), Quantize("q", np.array(1 / 3), np.array(0.0), 0, 3),
           Dense("d2", np.ones((2, 3))))
    with pytest.raises(PassError, match=r"its activations are multi-bit quantizers \('q' is a 2-bit quantizer"):
        BuildNetwork().run(sequential((4,), ops))


def test_real_nonlinearities_before_the_first_sign_and_after_the_last_are_host_steps():
    ops = (Dense("stem", np.ones((3, 4))), Elementwise("relu", "relu"), Dense("d1", np.ones((3, 3))),
           Sign("s1"), Dense("d2", np.ones((3, 3))), Elementwise("relu2", "relu"), Dense("d3", np.ones((2, 3))))
    net = BuildNetwork().run(sequential((4,), ops))
    stages = {s.op.name: s.stage for s in net.steps}
    assert stages["relu"] == "encoder" and stages["relu2"] == "head" and stages["s1"] == "core"


def test_checks_sizes():
    ops = (Dense("d1", np.ones((3, 4))), Sign("s"), Dense("d2", np.ones((2, 5))))
    with pytest.raises(PassError, match=r"dense 'd2' expects 5 inputs, gets 3"):
        BuildNetwork().run(sequential((4,), ops))


def test_a_model_without_signs_is_refused():
    with pytest.raises(PassError, match="no hidden binary layer"):
        BuildNetwork().run(sequential((4,), (Dense("d1", np.ones((3, 4))), Dense("d2", np.ones((2, 3))))))


def test_signs_of_the_raw_input_binarize_it_on_the_host():
    ops = (Sign("binarize"), Dense("d1", np.ones((3, 4))), Sign("s1"), Dense("d2", np.ones((2, 3))))
    net = BuildNetwork().run(sequential((4,), ops))
    assert len(net.hidden) == 1 and net.steps[0].stage == "encoder"
