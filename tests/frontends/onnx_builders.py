"""Small ONNX BNNs built with ``onnx.helper`` for the frontend tests (no exporter needed)."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

#: onnxruntime's newest IR version at the pinned release; onnx's default may be newer.
IR_VERSION = 8


def typed(value) -> np.ndarray:
    arr = np.asarray(value)
    return arr.astype(np.int64) if arr.dtype.kind in "iu" else arr.astype(np.float32)


def signs(rng, *shape) -> np.ndarray:
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def make_model(nodes, inits, in_shape, out_shape, opset=13, extra_opsets=(), batch="N"):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, *in_shape])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, *out_shape])],
        [numpy_helper.from_array(typed(v), k) for k, v in inits.items()],
    )
    opsets = [helper.make_opsetid("", opset), *(helper.make_opsetid(d, v) for d, v in extra_opsets)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=IR_VERSION)


def dense_bnn(seed=0, n_in=12, hidden=(9, 7), n_out=5, batchnorm="node"):
    """x → [MatMul → batch-norm → Sign] × hidden → MatMul → y, odd fan-ins (no ±1 sum is 0).

    ``batchnorm``: ``"node"`` (BatchNormalization) or ``"mul_add"`` (tf2onnx's folded form)."""
    rng = np.random.default_rng(seed)
    nodes, inits, prev, width = [], {}, "x", n_in
    for k, units in enumerate(hidden):
        inits[f"w{k}"] = signs(rng, width, units)
        nodes.append(helper.make_node("MatMul", [prev, f"w{k}"], [f"h{k}"], name=f"fc{k}"))
        gamma, beta = rng.uniform(0.5, 2, units) * rng.choice([-1, 1], units), rng.normal(size=units)
        mean, var = rng.normal(size=units), rng.uniform(0.5, 2, units)
        if batchnorm == "node":
            inits.update({f"g{k}": gamma, f"b{k}": beta, f"m{k}": mean, f"v{k}": var})
            nodes.append(helper.make_node("BatchNormalization", [f"h{k}", f"g{k}", f"b{k}", f"m{k}", f"v{k}"],
                                          [f"n{k}"], epsilon=1e-3, name=f"bn{k}"))
        else:
            scale = gamma / np.sqrt(var + 1e-3)
            inits.update({f"a{k}": scale, f"c{k}": beta - mean * scale})
            nodes += [helper.make_node("Mul", [f"h{k}", f"a{k}"], [f"u{k}"], name=f"bn{k}/mul"),
                      helper.make_node("Add", [f"u{k}", f"c{k}"], [f"n{k}"], name=f"bn{k}/add")]
        nodes.append(helper.make_node("Sign", [f"n{k}"], [f"s{k}"], name=f"sign{k}"))
        prev, width = f"s{k}", units
    inits["wout"] = signs(rng, width, n_out)
    inits["bout"] = rng.normal(size=n_out)
    nodes += [helper.make_node("MatMul", [prev, "wout"], ["z"], name="fc_out"),
              helper.make_node("Add", ["z", "bout"], ["y"], name="bias_out")]
    return make_model(nodes, inits, (n_in,), (n_out,))


def conv_bnn(seed=0):
    """x [N, 2, 6, 6] → Conv 3×3 (pad 1) → MaxPool 2 → BN → Sign → Conv 2×2 (3 ch) → Sign →
    Flatten → MatMul → y; odd fan-ins keep sums off 0."""
    rng = np.random.default_rng(seed)
    inits = {"k1": signs(rng, 3, 2, 3, 3), "k2": signs(rng, 3, 3, 1, 3) * 0.5, "b2": rng.normal(size=3),
             "w": signs(rng, 3 * 3 * 1, 5), "g": rng.uniform(0.5, 2, 3), "b": rng.normal(size=3),
             "m": rng.normal(size=3) * 3, "v": rng.uniform(0.5, 2, 3)}
    nodes = [
        helper.make_node("Conv", ["x", "k1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("MaxPool", ["c1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2], name="pool1"),
        helper.make_node("BatchNormalization", ["p1", "g", "b", "m", "v"], ["n1"], epsilon=1e-3, name="bn1"),
        helper.make_node("Sign", ["n1"], ["s1"], name="sign1"),
        helper.make_node("Conv", ["s1", "k2", "b2"], ["c2"], name="conv2"),
        helper.make_node("Sign", ["c2"], ["s2"], name="sign2"),
        helper.make_node("Flatten", ["s2"], ["f"], axis=1, name="flatten"),
        helper.make_node("MatMul", ["f", "w"], ["y"], name="fc"),
    ]
    return make_model(nodes, inits, (2, 6, 6), (5,))


def tf_style_conv_bnn(seed=0):
    """What tf2onnx writes for a Larq conv net: NHWC input, Transposes around the Conv (batch-norm
    folded into ±scale weights and a bias), ``Sign(Sign(x) + 0.1)``, a constant Reshape as
    Flatten, and the last batch-norm as Mul/Add."""
    rng = np.random.default_rng(seed)
    inits = {"k": signs(rng, 4, 2, 3, 3) * rng.uniform(0.5, 2, (4, 1, 1, 1)), "kb": rng.normal(size=4),
             "c": np.array(0.1), "flat": np.array([-1, 36]), "w": signs(rng, 36, 5),
             "a": rng.uniform(0.5, 2, 5), "d": rng.normal(size=5)}
    nodes = [
        helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 3, 1, 2], name="to_nchw"),
        helper.make_node("Conv", ["xt", "k", "kb"], ["cv"], pads=[0, 0, 0, 0], strides=[1, 1], name="conv"),
        helper.make_node("Transpose", ["cv"], ["cvt"], perm=[0, 2, 3, 1], name="to_nhwc"),
        helper.make_node("Sign", ["cvt"], ["s0"], name="ste_sign/Sign"),
        helper.make_node("Add", ["s0", "c"], ["s1"], name="ste_sign/add"),
        helper.make_node("Sign", ["s1"], ["s2"], name="ste_sign/Sign_1"),
        helper.make_node("Reshape", ["s2", "flat"], ["f"], name="flatten"),
        helper.make_node("MatMul", ["f", "w"], ["z"], name="dense"),
        helper.make_node("Mul", ["z", "a"], ["za"], name="bn/mul"),
        helper.make_node("Add", ["za", "d"], ["y"], name="bn/add"),
    ]
    return make_model(nodes, inits, (5, 5, 2), (5,))
