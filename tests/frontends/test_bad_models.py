"""Malformed or unsupported models: a typed Bnn2qError with one line naming the node/layer and
why, and from the CLI a non-zero exit with that one line (no traceback)."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest
from onnx import helper, numpy_helper

import bnn2q
from bnn2q.errors import Bnn2qError, FrontendError, PassError

from .conftest import keras_env
from .onnx_builders import conv_bnn, dense_bnn, make_model, signs

pytestmark = pytest.mark.xdist_group("larq-models")


def _edit(model, change):
    out = copy.deepcopy(model)
    change(out)
    return out


def _set_init(name, value):
    def change(model):
        for init in model.graph.initializer:
            if init.name == name:
                init.CopyFrom(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
    return change


def _set_opset(version):
    def change(model):
        for imp in model.opset_import:
            if imp.domain == "":
                imp.version = version
    return change


def _node(model, name):
    return next(n for n in model.graph.node if n.name == name)


def _retype(name, op_type, domain=""):
    def change(model):
        node = _node(model, name)
        node.op_type, node.domain = op_type, domain
        if domain:
            model.opset_import.append(helper.make_opsetid(domain, 1))
    return change


def _dynamic_dim(model):
    model.graph.input[0].type.tensor_type.shape.dim[1].dim_param = "features"


def _clear_nodes(model):
    del model.graph.node[:]


def _residual(model):
    # y = fc_out(sign(h0 + h1)): adds two real activations from different layers.
    rng = np.random.default_rng(9)
    model.graph.initializer.append(numpy_helper.from_array(signs(rng, 9, 9), "wskip"))
    nodes = list(model.graph.node)
    skip = helper.make_node("MatMul", ["s0", "wskip"], ["hskip"], name="fc_skip")
    add = helper.make_node("Add", ["n0", "hskip"], ["r"], name="residual_add")
    sign = helper.make_node("Sign", ["r"], ["rs"], name="sign_r")
    at = nodes.index(_node(model, "sign0")) + 1
    nodes[at:at] = [skip, add, sign]
    nodes[at + 3].input[0] = "rs"  # fc1 now reads the residual sum
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def _multibit(model):
    # A 4-bit Quant of the first layer's bits feeds the second layer: a quantizer between signs.
    nodes = list(model.graph.node)
    at = nodes.index(_node(model, "fc1"))
    nodes.insert(at, helper.make_node("Quant", ["s0", "q_scale", "q_zero", "q_bits"], ["s0q"], name="quant1",
                                      domain="qonnx.custom_op.general"))
    nodes[at + 1].input[0] = "s0q"
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    for name, value in (("q_scale", 0.5), ("q_zero", 0.0), ("q_bits", 4.0)):
        model.graph.initializer.append(numpy_helper.from_array(np.array(value, np.float32), name))
    model.opset_import.append(helper.make_opsetid("qonnx.custom_op.general", 1))


def _relu_between_signs(model):
    # sign1(bn1(relu(fc1(s0)))): a ReLU the host computes from the first layer's bits.
    nodes = list(model.graph.node)
    at = nodes.index(_node(model, "bn1"))
    nodes.insert(at, helper.make_node("Relu", ["h1"], ["h1r"], name="relu1"))
    nodes[at + 1].input[0] = "h1r"
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def _quotient_of_activations(model):
    nodes = list(model.graph.node)
    at = nodes.index(_node(model, "sign0"))
    nodes.insert(at, helper.make_node("Div", ["n0", "n0"], ["sq"], name="ratio"))
    nodes[at + 1].input[0] = "sq"
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def _product_of_activations(model):
    nodes = list(model.graph.node)
    at = nodes.index(_node(model, "sign0"))
    nodes.insert(at, helper.make_node("Mul", ["n0", "n0"], ["sq"], name="square"))
    nodes[at + 1].input[0] = "sq"
    del model.graph.node[:]
    model.graph.node.extend(nodes)


DENSE_CASES = [
    ("opset3", _set_opset(3), FrontendError, r"uses opset 3; bnn2q reads opsets 9 to \d+"),
    ("opset99", _set_opset(99), FrontendError, r"uses opset 99; bnn2q reads opsets 9 to \d+"),
    ("dynamic", _dynamic_dim, FrontendError, r"input 'x': dimension 1 is dynamic \('features'\)"),
    ("nan_mean", _set_init("m0", [np.nan] + [0.0] * 8), PassError, r"batch-norm 'bn0': mean holds NaN or inf"),
    ("inf_gamma", _set_init("g1", [np.inf] * 7), PassError, r"batch-norm 'bn1': gamma holds NaN or inf"),
    ("nan_weights", _set_init("w0", np.full((12, 9), np.nan)), FrontendError, r"node 'fc0' \(MatMul\): the kernel holds NaN"),
    ("quotient", _quotient_of_activations, FrontendError,
     r"node 'ratio' \(Div\) divides by an activation; bnn2q multiplies by computed values but does not divide"),
    ("unknown_op", _retype("sign1", "Frobnicate", "com.example"), FrontendError,
     r"node 'sign1': op com.example.Frobnicate is not supported"),
    ("unknown_default_op", _retype("sign1", "Frobnicate"), FrontendError, r"invalid ONNX model: .*Frobnicate"),
    ("multibit", _multibit, PassError, r"'quant1' is a 4-bit quantizer \(16 levels\) between two sign layers; a "
     r"neuron is one qubit with one bit"),
    ("empty", _clear_nodes, FrontendError, r"the ONNX graph 'g' has no nodes"),
]


@pytest.mark.parametrize("change,error,match", [c[1:] for c in DENSE_CASES], ids=[c[0] for c in DENSE_CASES])
def test_bad_onnx_models_raise_one_typed_line(change, error, match):
    model = _edit(dense_bnn(), change)
    with pytest.raises(error, match=match) as info:
        bnn2q.load(model)
    assert "\n" not in str(info.value)


def _zero_variance(model):
    _set_init("v0", np.zeros(9))(model)
    for attr in _node(model, "bn0").attribute:
        if attr.name == "epsilon":
            attr.f = 0.0


def _pool_on_input(model):
    nodes = list(model.graph.node)
    nodes.insert(0, helper.make_node("MaxPool", ["x"], ["xp"], kernel_shape=[1, 1], name="pool0"))
    nodes[1].input[0] = "xp"
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def _dilated(model):
    # conv2's kernel is 1×3: a height dilation leaves the shapes (and ONNX's checker) happy.
    _node(model, "conv2").attribute.append(helper.make_attribute("dilations", [2, 1]))


CONV_CASES = [
    ("grouped", lambda m: _node(m, "conv1").attribute.append(helper.make_attribute("group", 2)),
     FrontendError, r"invalid ONNX model|node 'conv1' \(Conv\): weights"),
    ("dilated_pool", lambda m: _node(m, "pool1").attribute.extend(
        [helper.make_attribute("dilations", [2, 2]), helper.make_attribute("pads", [1, 1, 1, 1])]), FrontendError, r"node 'pool1' \(MaxPool\): dilated pooling is not supported"),
]


@pytest.mark.parametrize("change,error,match", [c[1:] for c in CONV_CASES], ids=[c[0] for c in CONV_CASES])
def test_bad_onnx_conv_models(change, error, match):
    with pytest.raises(error, match=match):
        bnn2q.load(_edit(conv_bnn(), change))


def test_zero_variance_without_epsilon():
    with pytest.raises(PassError, match=r"batch-norm 'bn0': variance \+ epsilon <= 0"):
        bnn2q.load(_edit(dense_bnn(), _zero_variance))


ACCEPTED = [
    ("relu_between_signs", _relu_between_signs),
    ("product_of_activations", _product_of_activations),
    ("real_weights", lambda m: _set_init("w1", np.random.default_rng(0).normal(size=(9, 7)))(m)),
    ("zero_weights", _set_init("w1", np.zeros((9, 7)))),
    ("residual", _residual),
    ("relu_before_the_first_sign", _retype("sign0", "Relu")),
    ("no_sign_between_the_first_layers",
     lambda m: _node(m, "sign0").CopyFrom(helper.make_node("Identity", ["n0"], ["s0"], name="id0"))),
]


@pytest.mark.parametrize("change", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_graphs_once_refused_load_and_match_onnxruntime(change):
    from .conftest import ort_logits

    model = _edit(dense_bnn(), change)
    x = np.random.default_rng(4).normal(size=(300, 12))
    sim = bnn2q.simulate(bnn2q.load(model), x, shots=1)
    np.testing.assert_allclose(sim.logits[:, 0], ort_logits(model, x), atol=1e-4)


def test_dilated_convolution_loads_and_matches_onnxruntime():
    from .conftest import ort_logits

    model = _edit(conv_bnn(), _dilated)
    x = np.random.default_rng(4).normal(size=(100, 2, 6, 6))
    sim = bnn2q.simulate(bnn2q.load(model), x, shots=1)
    np.testing.assert_allclose(sim.logits[:, 0], ort_logits(model, x), atol=1e-4)


def test_shape_derived_reshape_folds_for_the_fixed_input_shape():
    """PyTorch's x.view(x.shape[0], -1): Shape → Gather → Unsqueeze → Concat → Reshape."""
    from .conftest import ort_logits

    rng = np.random.default_rng(0)
    nodes = [
        helper.make_node("Shape", ["x"], ["shp"], name="shape_of_x"),
        helper.make_node("Gather", ["shp", "zero"], ["n"], axis=0, name="batch"),
        helper.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="unsqueeze"),
        helper.make_node("Concat", ["n1", "minus_one"], ["target"], axis=0, name="concat"),
        helper.make_node("Reshape", ["x", "target"], ["xr"], name="view"),
        helper.make_node("MatMul", ["xr", "w0"], ["h"], name="fc0"),
        helper.make_node("Sign", ["h"], ["s"], name="sign0"),
        helper.make_node("MatMul", ["s", "w1"], ["y"], name="fc1"),
    ]
    inits = {"w0": signs(rng, 6, 5), "w1": signs(rng, 5, 3), "zero": np.array(0), "axes": np.array([0]),
             "minus_one": np.array([-1])}
    model = make_model(nodes, inits, (2, 3), (3,))
    x = rng.normal(size=(50, 2, 3))
    sim = bnn2q.simulate(bnn2q.load(model), x, shots=1)
    np.testing.assert_allclose(sim.logits[:, 0], ort_logits(model, x), atol=1e-4)


def test_not_a_model_proto():
    from bnn2q.frontends.onnx_graph import read_onnx_model

    with pytest.raises(FrontendError, match=r"expected an onnx.ModelProto, got dict"):
        read_onnx_model({})


# --------------------------------------------------------------------------- files and the CLI


def _write_bad_files(tmp_path) -> dict:
    good = dense_bnn()
    raw = good.SerializeToString()
    files = {
        "truncated.onnx": raw[: len(raw) // 2],
        "text.onnx": b"not a model\n",
        "multibit.onnx": _edit(good, _multibit).SerializeToString(),
        "opset99.onnx": _edit(good, _set_opset(99)).SerializeToString(),
        "empty.onnx": _edit(good, _clear_nodes).SerializeToString(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in files}


def test_truncated_and_foreign_files(tmp_path):
    paths = _write_bad_files(tmp_path)
    for name in ("truncated.onnx", "text.onnx"):
        with pytest.raises(FrontendError, match=r"cannot read ONNX model .*; is the file complete\?"):
            bnn2q.load(paths[name])
    (tmp_path / "zero.onnx").write_bytes(b"")
    with pytest.raises(FrontendError, match=r"ONNX model file .*zero.onnx' is empty"):
        bnn2q.load(tmp_path / "zero.onnx")


EXPECTED_CLI = {
    "truncated.onnx": "cannot read ONNX model",
    "text.onnx": "cannot read ONNX model",
    "multibit.onnx": "'quant1' is a 4-bit quantizer (16 levels) between two sign layers",
    "opset99.onnx": "uses opset 99",
    "empty.onnx": "has no nodes",
}


def test_cli_info_exits_non_zero_with_one_line(tmp_path):
    paths = _write_bad_files(tmp_path)
    for name, expected in EXPECTED_CLI.items():
        proc = subprocess.run([sys.executable, "-m", "bnn2q.cli", "info", str(paths[name])],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode != 0, name
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("bnn2q: error: "), (name, proc.stderr)
        assert expected in lines[0] and "Traceback" not in proc.stderr, (name, lines)
        assert proc.stdout == ""


# --------------------------------------------------------------------------- Keras


def test_keras_nan_batchnorm_and_truncated_file(tmp_path):
    tf, keras, lq = keras_env()
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)
    model = keras.Sequential([keras.Input((8,)), lq.layers.QuantDense(8, **kw),
                              keras.layers.BatchNormalization(name="bn"),
                              lq.layers.QuantDense(3, input_quantizer="ste_sign", **kw)])
    model.layers[1].moving_variance.assign(np.array([np.nan] + [1.0] * 7))
    with pytest.raises(PassError, match=r"batch-norm 'bn': variance holds NaN or inf"):
        bnn2q.load(model)
    path = tmp_path / "m.h5"
    model.save(path)
    (tmp_path / "cut.h5").write_bytes(path.read_bytes()[:2000])
    with pytest.raises(FrontendError, match=r"cannot read Keras model .*cut.h5"):
        bnn2q.load(tmp_path / "cut.h5")


def test_larq_conv_pool_after_negative_batchnorm_matches_keras():
    """A max-pool of real pre-activations (conv → BN with γ < 0 → pool → sign) is a real max."""
    tf, keras, lq = keras_env()
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)
    model = keras.Sequential([keras.Input((6, 6, 1)), lq.layers.QuantConv2D(2, (3, 3), **kw),
                              keras.layers.BatchNormalization(name="bn"), keras.layers.MaxPooling2D(name="pool"),
                              keras.layers.Flatten(), lq.layers.QuantDense(3, input_quantizer="ste_sign", **kw)])
    model.layers[1].gamma.assign(np.array([1.0, -1.0]))
    x = np.random.default_rng(5).normal(size=(200, 6, 6, 1)).astype(np.float32)
    np.testing.assert_array_equal(bnn2q.simulate(model, x, shots=1).predictions, model.predict(x, verbose=0).argmax(1))


def test_every_error_is_a_bnn2q_error():
    assert issubclass(FrontendError, Bnn2qError) and issubclass(PassError, Bnn2qError)
