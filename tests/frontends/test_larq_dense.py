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


#: Kernels for ste_tern that surely hold all three values: half of them fall within its 0.05
#: threshold (Glorot on a small layer leaves no weight there one time in ten).
TERNARY_INIT = {"class_name": "RandomUniform", "config": {"minval": -0.1, "maxval": 0.1, "seed": 0}}


def _model(*layers, input_shape=(8,)):
    tf, keras, lq = _keras()
    return keras.Sequential([keras.Input(input_shape), *layers])


def qdense(units, iq="ste_sign", kq="ste_sign", **kw):
    tf, keras, lq = _keras()
    return lq.layers.QuantDense(units, input_quantizer=iq, kernel_quantizer=kq,
                                kernel_constraint="weight_clip", **kw)


def _nodes(model):
    from bnn2q.frontends import read_graph

    return read_graph(model).nodes


def test_graph_ops_in_order():
    tf, keras, lq = _keras()
    model = _model(qdense(4, iq=None, use_bias=True, name="d1"), keras.layers.BatchNormalization(name="bn1"),
                   keras.layers.Dropout(0.2), qdense(3, name="d2", use_bias=False))
    nodes = _nodes(model)
    assert [type(n.op) for n in nodes] == [Dense, Affine, BatchNorm, Sign, Dense]
    assert nodes[0].op.weight.shape == (4, 8) and set(np.unique(nodes[0].op.weight)) <= {-1, 1}
    assert nodes[0].op.name == "d1" and nodes[2].op.name == "bn1"
    assert all(b.inputs == (a.output,) for a, b in zip(nodes, nodes[1:]))


def test_binarized_input_first_layer():
    model = _model(qdense(4, iq="ste_sign"), qdense(3))
    net = bnn2q.load(model)
    assert net.steps[0].stage == "encoder" and isinstance(net.steps[0].op, Sign) and len(net.hidden) == 1
    x = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
    np.testing.assert_array_equal(bnn2q.simulate(net, x, shots=1).predictions,
                                  model.predict(x, verbose=0).argmax(1))


def test_magnitude_aware_scale_becomes_affine():
    nodes = _nodes(_model(qdense(4, iq=None, kq="magnitude_aware_sign"), qdense(3)))
    assert isinstance(nodes[1].op, Affine) and nodes[1].op.name.endswith("kernel_scale")
    assert np.all(nodes[1].op.scale > 0)


@pytest.mark.parametrize("kq,iq,kind", [(None, "ste_sign", "real"), ("ste_sign", "ste_sign", "binary")])
def test_real_and_binary_kernels_both_load(kq, iq, kind):
    model = _model(qdense(6, iq=None, kq=kq), qdense(5, iq=iq, kq=kq), qdense(3, iq=iq, kq=kq))
    net = bnn2q.load(model)
    assert [layer.width for layer in net.hidden] == [6, 5]
    dense = [s.op for s in net.steps if isinstance(s.op, Dense)]
    assert dense[1].kernel_kind == kind
    x = np.random.default_rng(1).normal(size=(200, 8)).astype(np.float32)
    np.testing.assert_array_equal(bnn2q.simulate(net, x, shots=1).predictions, model.predict(x, verbose=0).argmax(1))


def test_heaviside_reads_bits_and_fires_above_zero():
    tf, keras, lq = _keras()
    model = _model(qdense(6, iq=None, kq=None), qdense(3, iq="ste_heaviside", kq=None))
    nodes = _nodes(model)
    k = next(i for i, n in enumerate(nodes) if isinstance(n.op, Sign))
    assert nodes[k].op.strict
    bits = nodes[k + 1].op
    assert isinstance(bits, Affine) and float(bits.scale) == 0.5 and float(bits.offset) == 0.5
    x = np.random.default_rng(2).normal(size=(200, 8)).astype(np.float32)
    np.testing.assert_allclose(bnn2q.simulate(model, x, shots=1).logits[:, 0], model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda k, lq: [lq.layers.QuantDense(4, kernel_quantizer="ste_tern", kernel_initializer=TERNARY_INIT), lq.layers.QuantDense(3, input_quantizer="ste_sign", kernel_quantizer="ste_sign")],
         r"layer 'quant_dense\w*': kernel_quantizer 'ste_tern' gives 3 distinct weight values \(a ternary quantizer"),
        (lambda k, lq: [qdense(4, iq=None), qdense(3, iq=lq.quantizers.DoReFa(k_bit=2))],
         r"its activations are multi-bit quantizers \('quant_dense\w*.input_quantizer' is a 2-bit quantizer "
         r"\(4 levels\)\) and none is a sign"),
        (lambda k, lq: [qdense(4, iq=None), qdense(4), qdense(4, iq=lq.quantizers.DoReFa(k_bit=3)), qdense(3)],
         r"'quant_dense\w*.input_quantizer' is a 3-bit quantizer \(8 levels\) between two sign layers"),
        (lambda k, lq: [qdense(4, iq=None), qdense(3, iq="ste_tern")],
         r"input_quantizer 'ste_tern' is a ternary quantizer"),
        (lambda k, lq: [qdense(4, iq=None), qdense(3, iq=None)],
         r"no hidden binary layer"),
        (lambda k, lq: [qdense(4, iq=None), k.layers.LayerNormalization(name="ln"), qdense(3)],
         r"layer 'ln' has unsupported type LayerNormalization"),
        (lambda k, lq: [qdense(4, iq=None), qdense(3), k.layers.Activation("softmax"), qdense(2)],
         r"layer 'quant_dense\w*' follows the softmax 'activation\w*'; softmax must be last"),
    ],
)
def test_rejections_name_the_layer(make, match):
    tf, keras, lq = _keras()
    model = _model(*make(keras, lq))
    with pytest.raises((FrontendError, PassError), match=match):
        bnn2q.load(model)


def test_residual_graph_loads_and_matches():
    tf, keras, lq = _keras()
    inp = keras.Input((8,))
    a = keras.layers.BatchNormalization(name="bn_a")(qdense(8, iq=None, name="a")(inp))
    b = keras.layers.BatchNormalization(name="bn_b")(qdense(8, name="b")(a))
    res = keras.layers.Add(name="res")([a, b])
    out = qdense(3, name="c")(res)
    model = keras.Model(inp, out)
    net = bnn2q.load(model)
    assert [layer.name for layer in net.hidden] == ["a", "res.input"] or len(net.hidden) == 2
    x = np.random.default_rng(3).normal(size=(300, 8)).astype(np.float32)
    np.testing.assert_array_equal(bnn2q.simulate(net, x, shots=1).predictions, model.predict(x, verbose=0).argmax(1))


def test_functional_model_loads():
    tf, keras, lq = _keras()
    inp = keras.Input((8,))
    out = qdense(3)(keras.layers.BatchNormalization()(qdense(5, iq=None)(inp)))
    net = bnn2q.load(keras.Model(inp, out))
    assert net.widths == [5] and net.n_classes == 3


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
