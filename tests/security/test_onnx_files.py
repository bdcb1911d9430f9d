"""ONNX files from strangers: a few hundred bytes that ask for gigabytes are refused against the
memory budget before any constant is evaluated; tensors must hold the data their dims declare;
external data is read only from beside the model."""

from __future__ import annotations

import os
import tracemalloc

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import bnn2q
from bnn2q.errors import FrontendError, InputError

from ..frontends.onnx_builders import dense_bnn
from .conftest import one_line_error, run_cli, run_cli_process

BIG = [64, 30_000_000]  # 7.68 GB of float32
REFUSED = r"need about 7\.68 GB, more than the 1\.07 GB available \(BNN2Q_MEMORY=1G\)"


def _graph_model(nodes, inits, in_shape=(1, 64), out_shape=(1, 30_000_000), opset=13):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))],
                              [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)


def _weights_from(op, inputs, inits, **attrs):
    """y = x · W, W made on constants by ``op``."""
    return _graph_model([helper.make_node(op, inputs, ["w"], **attrs), helper.make_node("MatMul", ["x", "w"], ["y"])],
                        inits)


BOMBS = {
    "ConstantOfShape": lambda: _weights_from("ConstantOfShape", ["s"], {"s": np.array(BIG)},
                                             value=numpy_helper.from_array(np.array([1.0], np.float32))),
    "Expand": lambda: _weights_from("Expand", ["one", "s"], {"one": np.ones((1, 1), np.float32), "s": np.array(BIG)}),
    "Tile": lambda: _weights_from("Tile", ["one", "s"], {"one": np.ones((1, 1), np.float32), "s": np.array(BIG)}),
    "Pad": lambda: _weights_from("Pad", ["one", "p"], {"one": np.ones((1, 1), np.float32),
                                                       "p": np.array([0, 0, BIG[0] - 1, BIG[1] - 1])}),
    "Resize": lambda: _weights_from("Resize", ["one", "", "", "s"], {"one": np.ones((1, 1), np.float32),
                                                                     "s": np.array(BIG)}),
    "Range": lambda: _graph_model(
        [helper.make_node("Range", ["a", "b", "c"], ["r"]), helper.make_node("Reshape", ["r", "s"], ["w"]),
         helper.make_node("MatMul", ["x", "w"], ["y"])],
        {"a": np.array(0, np.float32), "b": np.array(BIG[0] * BIG[1], np.float32), "c": np.array(1, np.float32),
         "s": np.array(BIG)}),
}


@pytest.mark.parametrize("op", sorted(BOMBS))
def test_allocations_are_checked_before_a_constant_is_evaluated(op, budget_1g):
    model = BOMBS[op]()
    assert len(model.SerializeToString()) < 400
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=rf"the outputs of node {op} -> '[wr]' on its constant inputs {REFUSED}; "
                                             "the file declares more than this machine can hold") as info:
            bnn2q.load(model)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "\n" not in str(info.value)
    assert peak < 100 << 20, f"{peak / 1e6:.0f} MB traced"


def test_the_309_byte_file_is_one_line_from_the_command_line(tmp_path):
    path = tmp_path / "bomb.onnx"
    onnx.save(BOMBS["ConstantOfShape"](), path)
    proc = run_cli_process("info", path, env={"BNN2Q_MEMORY": "1G"}, timeout=300)
    one_line_error(proc.returncode, proc.stderr, REFUSED)


def test_tensors_must_hold_what_their_dims_declare(tmp_path, budget_1g):
    w = numpy_helper.from_array(np.ones((64, 3), np.float32), "w")
    w.dims[:] = [64, 3_000_000_000]
    model = _graph_model([helper.make_node("MatMul", ["x", "w"], ["y"])], {}, out_shape=(1, 3))
    model.graph.initializer.append(w)
    with pytest.raises(FrontendError, match=r"initializer 'w' declares dims \[64, 3000000000\] "
                                            r"\(768,000,000,000 bytes\) but holds 768; the file is damaged"):
        bnn2q.load(model)
    typed = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[64, 3], float_data=[1.0] * 10)
    del model.graph.initializer[:]
    model.graph.initializer.append(typed)
    with pytest.raises(FrontendError, match=r"initializer 'w' declares dims \[64, 3\] \(192 values\) but holds 10"):
        bnn2q.load(model)


def test_a_sparse_tensor_declaring_huge_dims_is_refused(budget_1g):
    values = numpy_helper.from_array(np.ones(1, np.float32), "w")
    indices = numpy_helper.from_array(np.zeros(1, np.int64), "i")
    sparse = helper.make_sparse_tensor(values, indices, BIG)
    model = _graph_model([helper.make_node("Constant", [], ["w"], sparse_value=sparse),
                          helper.make_node("MatMul", ["x", "w"], ["y"])], {})
    with pytest.raises(InputError, match=r"the tensors of 'g' " + REFUSED):
        bnn2q.load(model)


def test_control_flow_on_constants_is_not_run():
    body = helper.make_graph([helper.make_node("Identity", ["c"], ["c_out"]), helper.make_node("Identity", ["v"], ["v_out"])],
                             "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                                      helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                                      helper.make_tensor_value_info("v", TensorProto.FLOAT, [1, 64])],
                             [helper.make_tensor_value_info("c_out", TensorProto.BOOL, []),
                              helper.make_tensor_value_info("v_out", TensorProto.FLOAT, [1, 64])])
    loop = helper.make_node("Loop", ["n", "t", "v"], ["w"], body=body, name="forever")
    model = _graph_model([loop, helper.make_node("Add", ["x", "w"], ["y"])],
                         {"n": np.array(10**15, np.int64), "t": np.array(True), "v": np.zeros((1, 64), np.float32)},
                         out_shape=(1, 64))
    with pytest.raises(FrontendError, match=r"node 'forever': Loop on constants is not folded"):
        bnn2q.load(model)


def _with_external_weights(folder):
    """dense_bnn saved with every initializer in ``weights.bin`` beside it."""
    onnx.save(dense_bnn(), folder / "m.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
              location="weights.bin", size_threshold=0)
    return folder / "m.onnx"


def _relocate(path, location: str) -> None:
    """Point every external tensor of the model at ``path`` to ``location``."""
    stored = onnx.load(path, load_external_data=False)
    for t in stored.graph.initializer:
        for entry in t.external_data:
            if entry.key == "location":
                entry.value = location
    onnx.save(stored, path)


def test_external_data_beside_the_model_loads(tmp_path):
    net = bnn2q.load(_with_external_weights(tmp_path))
    x = np.random.default_rng(0).uniform(-1, 1, (20, 12))
    np.testing.assert_array_equal(bnn2q.simulate(net, x, shots=1).predictions,
                                  bnn2q.simulate(bnn2q.load(dense_bnn()), x, shots=1).predictions)


@pytest.mark.parametrize("where", ["../outside.bin", "/abs", "link.bin"])
def test_external_data_outside_the_models_folder_is_refused(tmp_path, capsys, where):
    """A location that climbs out, an absolute path, a link beside the model pointing out."""
    folder = tmp_path / "model"
    folder.mkdir()
    path = _with_external_weights(folder)
    (folder / "weights.bin").rename(tmp_path / "outside.bin")
    if where == "link.bin":
        os.symlink(tmp_path / "outside.bin", folder / "link.bin")
    _relocate(path, {"/abs": str(tmp_path / "outside.bin")}.get(where, where))
    code, _, err = run_cli(capsys, "info", path)
    one_line_error(code, err, r"cannot read the external data of ONNX model .*; external data must lie in the "
                              r"model's folder")


def test_a_directory_named_like_a_model_is_one_line(tmp_path, capsys):
    (tmp_path / "x.onnx").mkdir()
    code, _, err = run_cli(capsys, "info", tmp_path / "x.onnx")
    one_line_error(code, err, r"is a directory; give a \.h5, \.keras or \.onnx model file")
