"""QONNX ``BipolarQuant`` (Brevitas/FINN exports): weight and activation quantizers load and
match the model's own execution, run by ONNX's reference evaluator with BipolarQuant written
from the QONNX spec (qonnx itself is not a dependency)."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from onnx.reference import ReferenceEvaluator
from onnx.reference.op_run import OpRun

import bnn2q
from bnn2q.errors import FrontendError
from bnn2q.frontends import read_graph
from bnn2q.ir import Affine, Conv2D, Dense, MaxPool2D, Reshape, Sign

from .onnx_builders import make_model

QONNX = "qonnx.custom_op.general"


class BipolarQuant(OpRun):
    """QONNX spec: y = scale · (x ≥ 0 ? +1 : −1)."""

    op_domain = QONNX

    def _run(self, x, scale):
        return ((np.where(x >= 0, 1.0, -1.0) * scale).astype(x.dtype),)


def run_reference(model, x) -> np.ndarray:
    evaluator = ReferenceEvaluator(model, new_ops=[BipolarQuant])
    return evaluator.run(None, {"x": np.asarray(x, dtype=np.float32)})[0]


def _bq(x, scale, y, name):
    return helper.make_node("BipolarQuant", [x, scale], [y], domain=QONNX, name=name)


def brevitas_dense(seed=0):
    """x → MatMul(x, BQ(W₁, per-unit scale)) → Mul/Add (BN) → BQ(·, 0.5) → MatMul(·, BQ(W₂, 1)) → Add."""
    rng = np.random.default_rng(seed)
    inits = {"w1": rng.normal(size=(10, 7)), "s1": rng.uniform(0.1, 1, (1, 7)), "a": rng.uniform(0.5, 2, 7),
             "c": rng.normal(size=7), "sa": np.array(0.5), "w2": rng.normal(size=(7, 4)), "one": np.array(1.0),
             "b": rng.normal(size=4)}
    nodes = [
        _bq("w1", "s1", "w1q", "weight_quant1"),
        helper.make_node("MatMul", ["x", "w1q"], ["h"], name="fc1"),
        helper.make_node("Mul", ["h", "a"], ["ha"], name="bn1/mul"),
        helper.make_node("Add", ["ha", "c"], ["hc"], name="bn1/add"),
        _bq("hc", "sa", "q", "act_quant1"),
        _bq("w2", "one", "w2q", "weight_quant2"),
        helper.make_node("MatMul", ["q", "w2q"], ["z"], name="fc2"),
        helper.make_node("Add", ["z", "b"], ["y"], name="bias2"),
    ]
    return make_model(nodes, inits, (10,), (4,), extra_opsets=[(QONNX, 1)])


def brevitas_conv(seed=0):
    """NCHW: BQ(x) → Conv(BQ(K, per-channel scale)) → MaxPool → BatchNormalization → BQ →
    Flatten → Gemm(BQ(W))."""
    rng = np.random.default_rng(seed)
    inits = {"k": rng.normal(size=(3, 1, 3, 3)), "sk": rng.uniform(0.2, 1, (3, 1, 1, 1)), "one": np.array(1.0),
             "g": rng.uniform(0.5, 2, 3), "beta": rng.normal(size=3), "m": rng.normal(size=3) * 2,
             "v": rng.uniform(0.5, 2, 3), "w": rng.normal(size=(5, 27)), "bias": rng.normal(size=5)}
    nodes = [
        _bq("x", "one", "xq", "input_quant"),
        _bq("k", "sk", "kq", "weight_quant1"),
        helper.make_node("Conv", ["xq", "kq"], ["c"], pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("MaxPool", ["c"], ["p"], kernel_shape=[2, 2], strides=[2, 2], name="pool1"),
        helper.make_node("BatchNormalization", ["p", "g", "beta", "m", "v"], ["n"], epsilon=1e-4, name="bn1"),
        _bq("n", "one", "s", "act_quant1"),
        helper.make_node("Flatten", ["s"], ["f"], axis=1, name="flatten"),
        _bq("w", "one", "wq", "weight_quant2"),
        helper.make_node("Gemm", ["f", "wq", "bias"], ["y"], transB=1, name="fc"),
    ]
    return make_model(nodes, inits, (1, 6, 6), (5,), extra_opsets=[(QONNX, 1)])


def test_brevitas_dense_matches_its_reference_execution():
    model = brevitas_dense()
    kinds = [type(n.op) for n in read_graph(model).nodes]
    assert kinds == [Dense, Affine, Affine, Affine, Sign, Dense, Affine, Affine]
    x = np.random.default_rng(1).normal(size=(400, 10))
    net = bnn2q.load(model)
    sim = bnn2q.simulate(net, x, shots=1)
    ref = run_reference(model, x)
    np.testing.assert_allclose(sim.logits[:, 0], ref, atol=1e-4)
    np.testing.assert_array_equal(sim.predictions, ref.argmax(1))
    head = [s.op for s in net.steps if s.stage == "head"]
    np.testing.assert_allclose(head[1].scale, 0.5)  # the activation scale rides on fc2


def test_brevitas_conv_with_binarized_input_matches_its_reference_execution():
    model = brevitas_conv()
    kinds = [type(n.op) for n in read_graph(model).nodes]
    assert kinds[:4] == [Sign, Reshape, Conv2D, Affine] and MaxPool2D in kinds
    net = bnn2q.load(model)
    assert net.steps[0].stage == "encoder" and isinstance(net.steps[0].op, Sign)  # input binarized on the host
    assert net.input_shape == (1, 6, 6)
    x = np.random.default_rng(2).normal(size=(300, 1, 6, 6))
    sim = bnn2q.simulate(net, x, shots=1)
    ref = run_reference(model, x)
    np.testing.assert_allclose(sim.logits[:, 0], ref, atol=1e-4)
    np.testing.assert_array_equal(sim.predictions, ref.argmax(1))


def test_per_channel_activation_scale_is_rejected():
    model = brevitas_dense()
    for init in model.graph.initializer:
        if init.name == "sa":
            from onnx import numpy_helper

            init.CopyFrom(numpy_helper.from_array(np.linspace(0.1, 1, 7).astype(np.float32), "sa"))
    with pytest.raises(FrontendError, match=r"node 'act_quant1' \(BipolarQuant\): activation scale .* must be one positive"):
        bnn2q.load(model)


@pytest.mark.parametrize("variant,dynamic_batch", [("raw", False), ("raw", True), ("clean", False)],
                         ids=["raw", "raw-dynamic-batch", "qonnx-cleanup"])
def test_brevitas_tfc_export_loads_untouched_and_matches_reference(variant, dynamic_batch, fashion):
    """Custom domains (declared or not), a Shape-derived flatten, the 2x − 1 input step, BipolarQuant
    on weights and activations, batch-norm on [N, C] and TensorNorm: all as Brevitas writes them."""
    from .brevitas_export import reference_logits, tfc_1w1a

    model = tfc_1w1a(variant, dynamic_batch)
    net = bnn2q.load(model)
    assert net.widths == [64, 64, 64] and net.steps[0].stage == "encoder"
    x = (fashion.x_test[:100] + 1) / 2  # Brevitas' TFC reads pixels in [0, 1]
    ref = reference_logits(model, x)
    sim = bnn2q.simulate(net, x.reshape(-1, 1, 28, 28), shots=1)
    np.testing.assert_allclose(sim.logits[:, 0], ref, atol=1e-4)
    np.testing.assert_array_equal(sim.predictions, ref.argmax(axis=1))
