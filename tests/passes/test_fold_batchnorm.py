"""FoldBatchNorm and FuseAffine: the folded network computes the same pre-activations."""

from __future__ import annotations

import numpy as np
import pytest

from bnn2q.errors import PassError
from bnn2q.ir import Affine, BatchNorm, Dense, Graph, Sign
from bnn2q.passes import BuildLayers, FoldBatchNorm, FuseAffine, PassManager, canonicalize
from bnn2q.sim import preactivations

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
    return Graph((5,), tuple(ops), "test")


def _evaluate_unfolded(graph, x):
    """Run the op graph directly, batch-norm formula included (the 'before')."""
    y, outs = x, []
    for op in graph.ops:
        if isinstance(op, Dense):
            y = y @ op.weight.T.astype(float)
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
    u1 = preactivations(net.layers[0], x)
    np.testing.assert_allclose(u1, before[0], rtol=1e-12, atol=1e-12)
    y1 = np.where(u1 >= 0, 1.0, -1.0)
    np.testing.assert_allclose(preactivations(net.layers[1], y1), before[1], rtol=1e-12, atol=1e-12)
    assert np.any(net.layers[0].scale < 0), "negative γ gives a negative a_j"


def test_fold_and_fuse_leave_one_affine_per_layer():
    graph = PassManager([FoldBatchNorm(), FuseAffine()]).run(_graph())
    assert [type(op).__name__ for op in graph.ops] == ["Dense", "Affine", "Sign", "Dense", "Affine"]
    assert graph.ops[1].name == "d1.bias+bn1"


def test_passes_are_pure():
    graph = _graph()
    FoldBatchNorm().run(graph)
    assert isinstance(graph.ops[2], BatchNorm)


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


def test_build_layers_rejects_real_values_between_layers():
    ops = (Dense("d1", np.ones((3, 4))), Dense("d2", np.ones((2, 3))))
    with pytest.raises(PassError, match="layer 'd1' feeds real values into 'd2'"):
        BuildLayers().run(Graph((4,), ops))


def test_build_layers_checks_sizes():
    ops = (Dense("d1", np.ones((3, 4))), Sign("s"), Dense("d2", np.ones((2, 5))))
    with pytest.raises(PassError, match="layer 'd2' expects 5 inputs but 'd1' gives 3"):
        BuildLayers().run(Graph((4,), ops))
