"""ONNX graphs as PyTorch and Brevitas write them, built with ``onnx.helper`` and checked against
onnxruntime at the classical limit: the sign idioms (``where(x >= 0, 1, -1)``, ``(x >= 0) * 2 - 1``,
``not(x < 0)``, a strict ``x > 0``), the straight-through estimators ``x + (sign(x) - x)`` and
``c + (sign(x) - c)`` with a hard-tanh clip, ReLU/clip/max/min between signs, a gate multiplying a
convolution's output, ``Split``/``Concat``, a dilated convolution, and an 8-bit ``Quant`` of the
input (QONNX, compared with the same quantizer written in standard ops for onnxruntime)."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

import bnn2q
from bnn2q.ir import Clip, Multiply, Quantize

from .conftest import ort_logits
from .onnx_builders import make_model, signs

N_IN, H1, H2, N_OUT = 10, 9, 7, 4


def _mlp(binarize, between=(), extra_inits=None, seed=0):
    """x → fc0 → bn → binarize(…) → fc1 → [between] → bn → binarize(…) → fc2 → y; ``binarize(k,
    src)`` returns the nodes turning ``src`` into layer k's spins ``s{k}``."""
    rng = np.random.default_rng(seed)
    inits = {"w0": rng.normal(size=(N_IN, H1)), "a0": rng.uniform(0.5, 2, H1), "c0": rng.normal(size=H1),
             "w1": signs(rng, H1, H2), "a1": rng.uniform(0.2, 0.6, H2), "c1": rng.normal(size=H2),
             "w2": signs(rng, H2, N_OUT), "zero": np.array(0.0, np.float32), "one": np.array(1.0, np.float32),
             "minus_one": np.array(-1.0, np.float32), "two": np.array(2.0, np.float32)}
    inits.update(extra_inits or {})
    nodes = [helper.make_node("MatMul", ["x", "w0"], ["h0"], name="fc0"),
             helper.make_node("Mul", ["h0", "a0"], ["u0a"], name="bn0/mul"),
             helper.make_node("Add", ["u0a", "c0"], ["u0"], name="bn0/add"),
             *binarize(0, "u0"),
             helper.make_node("MatMul", ["s0", "w1"], ["h1"], name="fc1")]
    src = "h1"
    for k, (op, *args) in enumerate(between):
        nodes.append(helper.make_node(op, [src, *args], [f"b{k}"], name=f"between{k}"))
        src = f"b{k}"
    nodes += [helper.make_node("Mul", [src, "a1"], ["u1a"], name="bn1/mul"),
              helper.make_node("Add", ["u1a", "c1"], ["u1"], name="bn1/add"),
              *binarize(1, "u1"),
              helper.make_node("MatMul", ["s1", "w2"], ["y"], name="fc2")]
    return make_model(nodes, inits, (N_IN,), (N_OUT,), opset=17)


def where(k, src):
    return [helper.make_node("GreaterOrEqual", [src, "zero"], [f"ge{k}"], name=f"ge{k}"),
            helper.make_node("Where", [f"ge{k}", "one", "minus_one"], [f"s{k}"], name=f"where{k}")]


def cast(k, src):
    return [helper.make_node("GreaterOrEqual", [src, "zero"], [f"ge{k}"], name=f"ge{k}"),
            helper.make_node("Cast", [f"ge{k}"], [f"f{k}"], to=1, name=f"cast{k}"),
            helper.make_node("Mul", [f"f{k}", "two"], [f"d{k}"], name=f"double{k}"),
            helper.make_node("Sub", [f"d{k}", "one"], [f"s{k}"], name=f"shift{k}")]


def not_less(k, src):
    return [helper.make_node("Less", [src, "zero"], [f"lt{k}"], name=f"lt{k}"),
            helper.make_node("Not", [f"lt{k}"], [f"ge{k}"], name=f"not{k}"),
            helper.make_node("Where", [f"ge{k}", "one", "minus_one"], [f"s{k}"], name=f"where{k}")]


def strict(k, src):
    return [helper.make_node("Greater", [src, "zero"], [f"gt{k}"], name=f"gt{k}"),
            helper.make_node("Where", [f"gt{k}", "one", "minus_one"], [f"s{k}"], name=f"where{k}")]


def detach_ste(k, src):
    return [helper.make_node("Sign", [src], [f"sg{k}"], name=f"sign{k}"),
            helper.make_node("Sub", [f"sg{k}", src], [f"d{k}"], name=f"ste{k}/sub"),
            helper.make_node("Add", [src, f"d{k}"], [f"s{k}"], name=f"ste{k}/add")]


def htanh_ste(k, src):
    return [helper.make_node("Clip", [src, "minus_one", "one"], [f"ht{k}"], name=f"htanh{k}"),
            helper.make_node("Sign", [src], [f"sg{k}"], name=f"sign{k}"),
            helper.make_node("Sub", [f"sg{k}", f"ht{k}"], [f"d{k}"], name=f"ste{k}/sub"),
            helper.make_node("Add", [f"ht{k}", f"d{k}"], [f"s{k}"], name=f"ste{k}/add")]


IDIOMS = {"where": where, "cast": cast, "not_less": not_less, "strict": strict, "detach_ste": detach_ste,
          "htanh_ste": htanh_ste}


def _check(model, x):
    net = bnn2q.load(model)
    sim = bnn2q.simulate(net, x, shots=1)
    want = ort_logits(model, x)
    np.testing.assert_allclose(sim.logits[:, 0], want, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(sim.predictions, want.argmax(axis=1))
    return net


@pytest.mark.parametrize("idiom", sorted(IDIOMS))
def test_sign_idioms_are_one_neuron_each(idiom):
    net = _check(_mlp(IDIOMS[idiom]), np.random.default_rng(1).normal(size=(300, N_IN)))
    assert net.widths == [H1, H2]
    assert [s.stage for s in net.steps].count("core") <= 4  # fc1, its scale and offset, the sign


def test_relu_clip_max_min_between_signs():
    extra = {"six": np.array(6.0, np.float32), "half": np.array(0.5, np.float32), "lo": np.array(-3.0, np.float32)}
    between = [("Relu",), ("Clip", "lo", "six"), ("Max", "half"), ("Min", "six")]
    model = _mlp(where, between, extra)
    net = _check(model, np.random.default_rng(2).normal(size=(300, N_IN)))
    assert sum(isinstance(s.op, Clip) for s in net.steps if s.stage == "core") == 3


def _conv_model(with_quant: bool):
    """x [N, 2, 6, 6] → 8-bit quantizer → conv 3×3 → BN → Sign → Split in two → a dilated and a
    plain conv → Concat → × sigmoid(GAP(BN)) gate → PRelu → + bias → Sign → flatten → MatMul → y."""
    rng = np.random.default_rng(3)
    inits = {"k0": rng.normal(size=(4, 2, 3, 3)), "g0": rng.uniform(0.5, 2, 4), "b0": rng.normal(size=4),
             "m0": rng.normal(size=4), "v0": rng.uniform(0.5, 2, 4), "ka": signs(rng, 2, 2, 3, 3),
             "kb": signs(rng, 2, 2, 3, 3), "slope": rng.uniform(0.05, 0.3, (4, 1, 1)),
             "bias": rng.uniform(0.1, 0.5, (4, 1, 1)) * rng.choice([-1, 1], (4, 1, 1)),
             "w": rng.normal(size=(4 * 6 * 6, 3)), "flat": np.array([-1, 4 * 6 * 6]),
             "scale": np.array(2.0 ** -5, np.float32), "zp": np.array(0.0, np.float32),
             "bits": np.array(8.0, np.float32), "lo": np.array(-128.0, np.float32),
             "hi": np.array(127.0, np.float32), "split": np.array([2, 2])}
    if with_quant:
        quant = [helper.make_node("Quant", ["x", "scale", "zp", "bits"], ["xq"], domain="qonnx.custom_op.general",
                                  signed=1, narrow=0, rounding_mode="ROUND", name="input_quant")]
    else:  # the same quantizer in standard ops: (clip(round(x / s + z), lo, hi) − z) · s
        quant = [helper.make_node("Div", ["x", "scale"], ["q0"], name="q/div"),
                 helper.make_node("Round", ["q0"], ["q1"], name="q/round"),
                 helper.make_node("Clip", ["q1", "lo", "hi"], ["q2"], name="q/clip"),
                 helper.make_node("Mul", ["q2", "scale"], ["xq"], name="q/mul")]
    nodes = quant + [
        helper.make_node("Conv", ["xq", "k0"], ["c0"], pads=[1, 1, 1, 1], name="conv0"),
        helper.make_node("BatchNormalization", ["c0", "g0", "b0", "m0", "v0"], ["n0"], name="bn0"),
        helper.make_node("Sign", ["n0"], ["s0"], name="sign0"),
        helper.make_node("Split", ["s0", "split"], ["sa", "sb"], axis=1, name="split"),
        helper.make_node("Conv", ["sa", "ka"], ["ca"], pads=[2, 2, 2, 2], dilations=[2, 2], name="conv_a"),
        helper.make_node("Conv", ["sb", "kb"], ["cb"], pads=[1, 1, 1, 1], name="conv_b"),
        helper.make_node("Concat", ["ca", "cb"], ["cc"], axis=1, name="concat"),
        helper.make_node("GlobalAveragePool", ["n0"], ["gp"], name="gap"),
        helper.make_node("Sigmoid", ["gp"], ["gate"], name="gate"),
        helper.make_node("Mul", ["cc", "gate"], ["gated"], name="scale"),
        helper.make_node("PRelu", ["gated", "slope"], ["pr"], name="prelu"),
        helper.make_node("Add", ["pr", "bias"], ["pb"], name="bias"),  # keeps zero sums off ONNX's Sign(0) = 0
        helper.make_node("Sign", ["pb"], ["s1"], name="sign1"),
        helper.make_node("Reshape", ["s1", "flat"], ["f"], name="flatten"),
        helper.make_node("MatMul", ["f", "w"], ["y"], name="fc"),
    ]
    extra = [("qonnx.custom_op.general", 1)] if with_quant else []
    return make_model(nodes, inits, (2, 6, 6), (3,), opset=13, extra_opsets=extra)


def test_gated_split_dilated_conv_with_an_8_bit_input_quantizer():
    x = np.random.default_rng(4).normal(size=(200, 2, 6, 6)).astype(np.float32)
    plain = _conv_model(with_quant=False)
    want = ort_logits(plain, x)
    for model in (plain, _conv_model(with_quant=True)):
        net = bnn2q.load(model)
        assert {type(s.op) for s in net.steps} >= {Quantize, Multiply}
        assert net.steps[0].stage == "encoder" and len(net.hidden) == 2
        sim = bnn2q.simulate(net, x, shots=1)
        np.testing.assert_allclose(sim.logits[:, 0], want, rtol=1e-4, atol=1e-4)


def test_multi_bit_weights_fold_to_real_weights():
    rng = np.random.default_rng(5)
    latent = rng.normal(size=(N_IN, H1)).astype(np.float32)
    model = _mlp(where, extra_inits={"w0_latent": latent, "wscale": np.array(0.25, np.float32),
                                     "wzp": np.array(0.0, np.float32), "wbits": np.array(4.0, np.float32)})
    quant = helper.make_node("Quant", ["w0_latent", "wscale", "wzp", "wbits"], ["w0q"], name="weight_quant",
                             domain="qonnx.custom_op.general", signed=1, narrow=1)
    nodes = [quant] + list(model.graph.node)
    nodes[1].input[1] = "w0q"
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    model.opset_import.append(helper.make_opsetid("qonnx.custom_op.general", 1))
    net = bnn2q.load(model)
    w0 = next(s.op for s in net.steps if s.op.name == "fc0").weight
    np.testing.assert_array_equal(w0, (np.clip(np.round(latent / 0.25), -7, 7) * 0.25).T)
