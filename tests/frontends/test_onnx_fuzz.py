"""Property: for any mutation of a valid ONNX BNN (drop, duplicate, retype, rewire nodes;
reshape, retype, perturb initializers; edit attributes and the input shape) bnn2q either loads
a network whose classical logits match onnxruntime's output, or raises a Bnn2qError — never
anything else."""

from __future__ import annotations

import copy

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import numpy_helper

import bnn2q
from bnn2q.errors import Bnn2qError

from .onnx_builders import conv_bnn, dense_bnn, tf_style_conv_bnn

EXAMPLES = 1200
LOGIT_ATOL = 1e-3

BASES = [dense_bnn(seed=1), dense_bnn(seed=2, batchnorm="mul_add"), conv_bnn(seed=3), tf_style_conv_bnn(seed=4)]
OP_TYPES = ["Sign", "Relu", "Identity", "Neg", "Add", "Mul", "Sub", "MatMul", "Gemm", "Conv", "MaxPool",
            "Transpose", "Flatten", "Softmax", "BatchNormalization", "Abs", "Reshape", "Dropout", "Frobnicate"]
OUTCOMES = {"matched": 0, "rejected": 0}


def _consumers_rewire(graph, old: str, new: str):
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name == old:
                node.input[k] = new
    for out in graph.output:
        if out.name == old:
            out.name = new


def _drop_node(model, data):
    graph = model.graph
    i = data.draw(st.integers(0, len(graph.node) - 1))
    node = graph.node[i]
    if data.draw(st.booleans()) and node.input:
        _consumers_rewire(graph, node.output[0], node.input[0])
    del graph.node[i]


def _duplicate_node(model, data):
    graph = model.graph
    i = data.draw(st.integers(0, len(graph.node) - 1))
    node = graph.node[i]
    dup = copy.deepcopy(node)
    dup.name = node.name + "_dup"
    dup.output[0] = node.output[0] + "_dup"
    _consumers_rewire(graph, node.output[0], dup.output[0])
    if dup.input:
        dup.input[0] = node.output[0]
    graph.node.insert(i + 1, dup)


def _retype_node(model, data):
    node = model.graph.node[data.draw(st.integers(0, len(model.graph.node) - 1))]
    node.op_type = data.draw(st.sampled_from(OP_TYPES))


def _swap_inputs(model, data):
    node = model.graph.node[data.draw(st.integers(0, len(model.graph.node) - 1))]
    if len(node.input) >= 2:
        node.input[0], node.input[1] = node.input[1], node.input[0]


def _pick_init(model, data):
    inits = model.graph.initializer
    k = data.draw(st.integers(0, len(inits) - 1))
    return inits[k], numpy_helper.to_array(inits[k])


def _reshape_init(model, data):
    init, arr = _pick_init(model, data)
    shapes = [arr.reshape(-1).shape, (1,) + arr.shape, arr.shape[::-1], arr.shape[:-1]]
    shape = data.draw(st.sampled_from(shapes))
    if int(np.prod(shape)) == arr.size:
        new = arr.reshape(shape)
    else:
        new = arr.reshape(-1)[: int(np.prod(shape))].reshape(shape)
    if data.draw(st.booleans()) and new.ndim >= 2:
        new = np.ascontiguousarray(new.T)
    init.CopyFrom(numpy_helper.from_array(new, init.name))


def _retype_init(model, data):
    init, arr = _pick_init(model, data)
    dtype = data.draw(st.sampled_from([np.float64, np.float16, np.int64, np.int32, np.float32]))
    with np.errstate(invalid="ignore"):
        init.CopyFrom(numpy_helper.from_array(arr.astype(dtype), init.name))


def _perturb_init(model, data):
    init, arr = _pick_init(model, data)
    if arr.size == 0:
        return
    new = np.array(arr, dtype=np.float64, copy=True)
    flat = new.reshape(-1)
    k = data.draw(st.integers(0, flat.size - 1))
    kind = data.draw(st.sampled_from(["noise", "flip", "scale", "nan", "inf", "big", "negate_all"]))
    if kind == "noise":
        flat[k] = flat[k] + data.draw(st.sampled_from([1e-3, 0.37, -1.5]))
    elif kind == "flip":
        flat[k] = -flat[k]
    elif kind == "scale":
        new = new * data.draw(st.sampled_from([0.5, 3.0, -2.0]))
    elif kind == "nan":
        flat[k] = np.nan
    elif kind == "inf":
        flat[k] = np.inf
    elif kind == "big":
        flat[k] = 1e30
    else:
        new = -new
    if arr.dtype.kind != "f":  # integer shapes: no NaN or inf, but any odd value
        new = np.nan_to_num(new, nan=-3, posinf=10**6).clip(-(10**6), 10**6)
    with np.errstate(over="ignore", invalid="ignore"):
        init.CopyFrom(numpy_helper.from_array(np.asarray(new).astype(arr.dtype), init.name))


def _drop_init(model, data):
    inits = model.graph.initializer
    del inits[data.draw(st.integers(0, len(inits) - 1))]


def _edit_attribute(model, data):
    nodes = [n for n in model.graph.node if n.attribute]
    if not nodes:
        return
    node = data.draw(st.sampled_from(nodes))
    attr = node.attribute[data.draw(st.integers(0, len(node.attribute) - 1))]
    if attr.ints:
        j = data.draw(st.integers(0, len(attr.ints) - 1))
        attr.ints[j] = attr.ints[j] + data.draw(st.sampled_from([-1, 1, 2]))
    elif attr.type == onnx.AttributeProto.INT:
        attr.i += data.draw(st.sampled_from([-1, 1]))
    elif attr.type == onnx.AttributeProto.FLOAT:
        attr.f = data.draw(st.sampled_from([0.0, -1.0, 10.0]))


def _edit_input_shape(model, data):
    dims = model.graph.input[0].type.tensor_type.shape.dim
    d = dims[data.draw(st.integers(0, len(dims) - 1))]
    if data.draw(st.booleans()):
        d.dim_param = "dynamic"
    else:
        d.dim_value = max(1, d.dim_value + data.draw(st.sampled_from([-1, 1])))


MUTATIONS = [_drop_node, _duplicate_node, _retype_node, _swap_inputs, _reshape_init, _retype_init,
             _perturb_init, _perturb_init, _drop_init, _edit_attribute, _edit_input_shape]


def _input_batch(model, rng) -> np.ndarray | None:
    ttype = model.graph.input[0].type.tensor_type
    dims = [d.dim_value if d.HasField("dim_value") else None for d in ttype.shape.dim]
    if not dims or any(d is None for d in dims[1:]):
        return None
    batch = dims[0] or 16
    return rng.normal(size=[batch] + dims[1:]).astype(np.float32)


def _onnxruntime(model, x):
    import onnxruntime as ort

    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def _check_against_onnxruntime(model, net):
    """Our classical logits equal onnxruntime's output (argmax where the top two are apart)."""
    x = _input_batch(model, np.random.default_rng(0))
    assert x is not None, "bnn2q accepted a model without a static input shape"
    ours_in = x.transpose(0, 2, 3, 1) if x.ndim == 4 and net.input_shape != x.shape[1:] else x
    sim = bnn2q.simulate(net, ours_in, shots=1)
    ref = np.asarray(_onnxruntime(model, x), dtype=np.float64).reshape(len(x), -1)
    ours = sim.logits[:, 0]
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(ours, ref, atol=LOGIT_ATOL * scale, rtol=1e-5)
    top2 = np.sort(ref, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) > 2 * LOGIT_ATOL * scale
    np.testing.assert_array_equal(sim.predictions[clear], ref.argmax(1)[clear])


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(base=st.sampled_from(range(len(BASES))), data=st.data())
def test_mutated_onnx_models_load_faithfully_or_raise_bnn2q_errors(base, data):
    model = copy.deepcopy(BASES[base])
    for _ in range(data.draw(st.integers(1, 3))):
        data.draw(st.sampled_from(MUTATIONS))(model, data)
    try:
        net = bnn2q.load(model)
    except Bnn2qError as exc:
        assert "\n" not in str(exc)
        OUTCOMES["rejected"] += 1
        return
    _check_against_onnxruntime(model, net)
    OUTCOMES["matched"] += 1


def test_fuzz_ran_enough_models():
    """Runs after the property (file order); the issue asks for ≥ 1,000 mutated models."""
    total = OUTCOMES["matched"] + OUTCOMES["rejected"]
    if total == 0:
        pytest.skip("the fuzz property did not run in this worker")
    print(f"\nfuzz: {total} mutated ONNX models, {OUTCOMES['matched']} loaded and matched "
          f"onnxruntime, {OUTCOMES['rejected']} rejected with a Bnn2qError")
    assert total >= 1000
