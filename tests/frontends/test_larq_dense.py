"""Larq/Keras frontend (dense): what it reads, and the one-line errors for what it rejects."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import FrontendError, InputError, PassError
from bnn2q.ir import Affine, BatchNorm, Dense, Sign

pytestmark = pytest.mark.xdist_group("larq-models")


def _keras():
    from bnn2q.frontends.tf_env import import_tf

    return import_tf()


def _model(*layers, input_shape=(8,)):
    tf, keras, lq = _keras()
    return keras.Sequential([keras.Input(input_shape), *layers])


def qdense(units, iq="ste_sign", kq="ste_sign", **kw):
    tf, keras, lq = _keras()
    return lq.layers.QuantDense(units, input_quantizer=iq, kernel_quantizer=kq,
                                kernel_constraint="weight_clip", **kw)


def test_graph_ops_in_order():
    from bnn2q.frontends import read_graph

    tf, keras, lq = _keras()
    model = _model(qdense(4, iq=None, use_bias=True, name="d1"), keras.layers.BatchNormalization(name="bn1"),
                   keras.layers.Dropout(0.2), qdense(3, name="d2", use_bias=False))
    graph = read_graph(model)
    kinds = [type(op) for op in graph.ops]
    assert kinds == [Dense, Affine, BatchNorm, Sign, Dense]
    assert graph.ops[0].weight.shape == (4, 8) and set(np.unique(graph.ops[0].weight)) <= {-1, 1}
    assert graph.ops[0].name == "d1" and graph.ops[2].name == "bn1"


def test_binarized_input_first_layer():
    model = _model(qdense(4, iq="ste_sign"), qdense(3))
    net = bnn2q.load(model)
    assert not net.real_input
    x = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
    np.testing.assert_array_equal(bnn2q.simulate(net, x, shots=1).predictions,
                                  model.predict(x, verbose=0).argmax(1))


def test_magnitude_aware_scale_becomes_affine():
    from bnn2q.frontends import read_graph

    model = _model(qdense(4, iq=None, kq="magnitude_aware_sign"), qdense(3))
    ops = read_graph(model).ops
    assert isinstance(ops[1], Affine) and ops[1].name.endswith("kernel_scale")
    assert np.all(ops[1].scale > 0)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda k, lq: [lq.layers.QuantDense(4, kernel_quantizer="ste_tern"), lq.layers.QuantDense(3, input_quantizer="ste_sign", kernel_quantizer="ste_sign")],
         r"layer 'quant_dense\w*': kernel_quantizer 'ste_tern' is not a sign quantizer"),
        (lambda k, lq: [qdense(4, iq=None), qdense(3, iq="dorefa_quantizer")],
         r"input_quantizer 'do_re_fa' is not a sign quantizer"),
        (lambda k, lq: [qdense(4, iq=None), qdense(3, iq=None)],
         r"has no input_quantizer and so reads real-valued activations"),
        (lambda k, lq: [qdense(4, iq=None, kq=None), qdense(3)],
         r"kernel_quantizer=None \(real weights\)"),
        (lambda k, lq: [k.layers.Dense(4, name="plain"), qdense(3)],
         r"layer 'plain' is a full-precision Dense; use larq's QuantDense"),
        (lambda k, lq: [qdense(4, iq=None, activation="relu", name="r"), qdense(3)],
         r"layer 'r' has activation 'relu'"),
        (lambda k, lq: [qdense(4, iq=None), k.layers.LayerNormalization(name="ln"), qdense(3)],
         r"layer 'ln' has unsupported type LayerNormalization"),
        (lambda k, lq: [qdense(4, iq=None), qdense(3), k.layers.Activation("softmax"), qdense(2)],
         r"layer .activation\w*. has activation .softmax.*softmax only on the last layer"),
    ],
)
def test_rejections_name_the_layer(make, match):
    tf, keras, lq = _keras()
    model = _model(*make(keras, lq))
    with pytest.raises(FrontendError, match=match):
        bnn2q.load(model)


def test_residual_graph_is_rejected():
    tf, keras, lq = _keras()
    inp = keras.Input((8,))
    a = qdense(8, iq=None, name="a")(inp)
    b = qdense(8, name="b")(a)
    out = qdense(3, name="c")(keras.layers.Add(name="res")([a, b]))
    with pytest.raises(FrontendError, match=r"layer 'res' has 2 inputs"):
        bnn2q.load(keras.Model(inp, out))


def test_linear_functional_model_loads():
    tf, keras, lq = _keras()
    inp = keras.Input((8,))
    out = qdense(3)(keras.layers.BatchNormalization()(qdense(5, iq=None)(inp)))
    net = bnn2q.load(keras.Model(inp, out))
    assert [layer.width for layer in net.layers] == [5, 3]


def test_no_hidden_layer_is_rejected():
    with pytest.raises(PassError, match="no hidden binary layer"):
        bnn2q.load(_model(qdense(3, iq=None)))


@pytest.mark.parametrize("content", [b"", b"not an hdf5 file at all", b"\x89HDF\r\n\x1a\n" + b"\x00" * 40])
def test_corrupt_files(tmp_path, content):
    path = tmp_path / "broken.h5"
    path.write_bytes(content)
    with pytest.raises(FrontendError, match=r"cannot read Keras model .*broken.h5"):
        bnn2q.load(path)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(InputError, match="not found"):
        bnn2q.load(tmp_path / "nope.h5")
    (tmp_path / "m.txt").write_text("x")
    with pytest.raises(InputError, match=r"unknown model format '\.txt'"):
        bnn2q.load(tmp_path / "m.txt")
    with pytest.raises(InputError, match="cannot load a list"):
        bnn2q.load([1, 2])
