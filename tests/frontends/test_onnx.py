"""ONNX frontend: tf2onnx exports of Larq BNNs and hand-built plain graphs reproduce the source
model at τ = 0 (argmax) and onnxruntime's logits (float tolerance)."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper

import bnn2q
from bnn2q.frontends import read_graph
from bnn2q.ir import Affine, BatchNorm, Conv2D, Dense, Gather, MaxPool2D, Sign

from .conftest import ort_logits
from .onnx_builders import conv_bnn, dense_bnn, make_model, signs

pytestmark = pytest.mark.xdist_group("larq-models")

LOGIT_ATOL = 1e-4


def _classical(net, x):
    return bnn2q.simulate(net, x, shots=1)


def test_tf2onnx_dense_export_has_the_expected_nodes(dense_onnx):
    ops = [n.op_type for n in dense_onnx.graph.node]
    assert ops[:7] == ["Reshape", "MatMul", "Mul", "Add", "Sign", "Add", "Sign"]
    kinds = [type(n.op) for n in read_graph(dense_onnx).nodes]
    assert kinds == [Dense, Affine, Affine, Sign] * 2 + [Dense, Affine, Affine]


def test_tf2onnx_dense_reproduces_larq_and_onnxruntime(digits_model, dense_onnx, digits_all, tmp_path):
    x, _ = digits_all
    path = tmp_path / "dense.onnx"
    onnx.save(dense_onnx, path)
    net = bnn2q.load(path)
    assert net.widths == [64, 32] and net.n_classes == 10
    sim = _classical(net, x)
    np.testing.assert_array_equal(sim.predictions, digits_model.predict(x, verbose=0).argmax(1))
    np.testing.assert_allclose(sim.logits[:, 0], ort_logits(dense_onnx, x), atol=LOGIT_ATOL)


def test_loads_a_model_proto_and_a_path_alike(dense_onnx, tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(dense_onnx, path)
    a, b = bnn2q.load(dense_onnx), bnn2q.load(str(path))
    for sa, sb in zip(a.steps, b.steps, strict=True):
        assert type(sa.op) is type(sb.op) and sa.inputs == sb.inputs
        if isinstance(sa.op, Dense):
            np.testing.assert_array_equal(sa.op.weight, sb.op.weight)
        if isinstance(sa.op, Affine):
            np.testing.assert_array_equal(sa.op.offset, sb.op.offset)
    assert b.source == str(path)


# --------------------------------------------------------------------------- hand-built graphs


def _bn_inits(rng, prefix, n):
    return {f"{prefix}_g": rng.uniform(0.5, 2, n) * rng.choice([-1, 1], n), f"{prefix}_b": rng.normal(size=n),
            f"{prefix}_m": rng.normal(size=n) * 2, f"{prefix}_v": rng.uniform(0.5, 2, n)}


def _bn(prefix, x, y):
    return helper.make_node("BatchNormalization", [x, f"{prefix}_g", f"{prefix}_b", f"{prefix}_m", f"{prefix}_v"],
                            [y], epsilon=1e-3, name=prefix)


def _agree(model, x):
    net = bnn2q.load(model)
    sim = _classical(net, x)
    ref = ort_logits(model, x)
    np.testing.assert_allclose(sim.logits[:, 0], ref, atol=LOGIT_ATOL)
    np.testing.assert_array_equal(sim.predictions, ref.argmax(1))
    return net


@pytest.mark.parametrize("opset", [11, 13, 17])
def test_plain_gemm_batchnorm_sign_graph(opset):
    rng = np.random.default_rng(1)
    inits = {"w1": signs(rng, 7, 16) * 0.25, "b1": rng.normal(size=7), "w2": signs(rng, 7, 5),
             "shape": np.array([-1, 16]), **_bn_inits(rng, "bn", 7)}
    nodes = [
        helper.make_node("Reshape", ["x", "shape"], ["f"]),
        helper.make_node("Gemm", ["f", "w1", "b1"], ["h"], transB=1, name="fc1"),
        _bn("bn", "h", "hb"),
        helper.make_node("Sign", ["hb"], ["s"]),
        helper.make_node("MatMul", ["s", "w2"], ["y"], name="fc2"),
    ]
    model = make_model(nodes, inits, (4, 4), (5,), opset=opset)
    x = rng.normal(size=(200, 4, 4))
    net = _agree(model, x)
    assert net.widths == [7] and net.n_classes == 5


def test_nchw_conv_graph_with_pool_before_and_after_the_sign():
    """A plain NCHW conv net (no transposes): conv → pool → BN → sign → conv → sign → pool → dense.

    ONNX's Sign(0) = 0 where bnn2q (like Larq) reads +1, so the biases keep sums off 0."""
    rng = np.random.default_rng(2)
    inits = {"k1": signs(rng, 4, 2, 3, 3), "k2": signs(rng, 3, 4, 2, 2) * 0.5, "w": signs(rng, 3 * 2 * 2, 6),
             "bias2": rng.normal(size=3), "flat": np.array([-1, 12]), **_bn_inits(rng, "bn1", 4)}
    inits["bn1_g"] = np.abs(inits["bn1_g"])  # a pool before the BN needs a positive scale
    nodes = [
        helper.make_node("Conv", ["x", "k1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("MaxPool", ["c1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2], name="pool1"),
        _bn("bn1", "p1", "b1"),
        helper.make_node("Sign", ["b1"], ["s1"]),
        helper.make_node("Conv", ["s1", "k2", "bias2"], ["c2"], strides=[1, 1], auto_pad="SAME_UPPER", name="conv2"),
        helper.make_node("Sign", ["c2"], ["s2"]),
        helper.make_node("MaxPool", ["s2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2], name="pool2"),
        helper.make_node("Reshape", ["p2", "flat"], ["f"]),
        helper.make_node("MatMul", ["f", "w"], ["y"], name="fc"),
    ]
    model = make_model(nodes, inits, (2, 8, 8), (6,))
    kinds = [type(n.op) for n in read_graph(model).nodes]
    assert kinds == [Gather, Conv2D, MaxPool2D, BatchNorm, Sign, Conv2D, Affine, Affine, Sign, MaxPool2D, Gather, Dense]
    net = bnn2q.load(model)
    assert net.input_shape == (2, 8, 8)  # samples come as the model declares them (NCHW)
    assert [s.stage for s in net.steps if isinstance(s.op, MaxPool2D)] == ["encoder", "head"]
    x = rng.normal(size=(100, 2, 8, 8))
    sim = _classical(net, x)
    ref = ort_logits(model, x)
    np.testing.assert_allclose(sim.logits[:, 0], ref, atol=LOGIT_ATOL)


def test_spin_gain_and_ste_sign_pattern():
    """Sign(Sign(x) + 0.1) is one sign; a positive Mul on the spins becomes the next layer's scale."""
    rng = np.random.default_rng(3)
    inits = {"w1": signs(rng, 10, 9), "w2": signs(rng, 9, 4), "c": np.array(0.1), "g": np.array(0.5)}
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h"]),
        helper.make_node("Sign", ["h"], ["s0"]),
        helper.make_node("Add", ["s0", "c"], ["s1"]),
        helper.make_node("Sign", ["s1"], ["s2"]),
        helper.make_node("Mul", ["g", "s2"], ["s3"]),
        helper.make_node("MatMul", ["s3", "w2"], ["y"]),
    ]
    model = make_model(nodes, inits, (10,), (4,))
    net = _agree(model, rng.normal(size=(300, 10)))
    head = [s.op for s in net.steps if s.stage == "head"]
    assert [type(op) for op in head] == [Dense, Affine] and np.all(head[1].scale == 0.5)


@pytest.mark.parametrize("batchnorm", ["node", "mul_add"])
def test_builder_dense_bnn_matches_onnxruntime(batchnorm):
    x = np.random.default_rng(5).normal(size=(300, 12))
    net = _agree(dense_bnn(seed=5, batchnorm=batchnorm), x)
    assert net.widths == [9, 7] and net.n_classes == 5


def test_builder_conv_bnn_matches_onnxruntime():
    model = conv_bnn(seed=6)
    x = np.random.default_rng(6).normal(size=(200, 2, 6, 6))
    net = bnn2q.load(model)
    sim = _classical(net, x)
    np.testing.assert_allclose(sim.logits[:, 0], ort_logits(model, x), atol=LOGIT_ATOL)
