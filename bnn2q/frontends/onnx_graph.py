"""ONNX frontend: a BNN exported to ONNX (tf2onnx, PyTorch, QONNX/Brevitas ``BipolarQuant``,
plain graphs) → the op graph (SPEC §1), the same IR the Larq path produces.

Reading runs in three steps: ``onnx_checks`` (file, opset, tensors holding what their dims
declare within the memory budget — ``onnx_sizes`` —, ONNX checker with shape inference, one
static input), constant folding (each node's outputs sized first) (``onnx_constants``) and the graph walk (``onnx_reader``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import FrontendError
from ..ir import Graph
from .onnx_checks import check_model, default_opset, load_model_file, single_input
from .onnx_reader import OnnxReader
from .onnx_sizes import check_tensors


def read_onnx_file(path) -> Graph:
    """Read an ``.onnx`` file."""
    path = Path(path)
    return read_onnx_model(load_model_file(path), source=str(path))


def read_onnx_model(model, source: str | None = None) -> Graph:
    """Read an ``onnx.ModelProto``.

    Raises:
        FrontendError: the model is malformed or not a feed-forward BNN bnn2q supports; the
            message names the node and the reason.
    """
    import onnx

    if not isinstance(model, onnx.ModelProto):
        raise FrontendError(f"expected an onnx.ModelProto, got {type(model).__name__}")
    source = source or model.graph.name or "<onnx model>"
    opset = default_opset(model)
    check_tensors(model, source)
    check_model(model)
    name, shape, batch = single_input(model)
    return OnnxReader(model, opset, name, shape, batch, source).read()
