"""What an ONNX file's tensors declare, checked before anything is read, densified or evaluated.

A few hundred bytes of ONNX can ask for gigabytes: ``ConstantOfShape([64, 3·10⁷])``, an
``Expand``/``Tile``/``Range``/``Resize``/``Pad`` of a small constant, a sparse tensor with huge
dims, an initializer whose dims promise more values than it holds. So: every tensor's data must
match its dims (else the file is damaged, named in one line); the dense bytes the file's tensors
and external data declare, and the outputs of every node folded on constants — their shapes
inferred by ONNX's own shape functions from the constant inputs — are checked against the
memory budget (``bnn2q.budget``) before they exist."""

from __future__ import annotations

import math
import os

import numpy as np

from .. import budget
from ..errors import FrontendError

#: Bits per element of the types narrower than a byte (packed two or four to a byte).
SUB_BYTE_BITS = {"INT4": 4, "UINT4": 4, "FLOAT4E2M1": 4, "INT2": 2, "UINT2": 2}
TYPED_FIELDS = ("float_data", "int32_data", "string_data", "int64_data", "double_data", "uint64_data")
FIX = "the file declares more than this machine can hold; it is not a model bnn2q can read here"


def element_bits(data_type: int) -> int | None:
    """Bits one element of ONNX type ``data_type`` takes in memory (None: strings, unknown)."""
    from onnx import TensorProto, helper

    name = TensorProto.DataType.Name(data_type) if data_type in TensorProto.DataType.values() else ""
    if name in SUB_BYTE_BITS:
        return SUB_BYTE_BITS[name]
    if name in ("STRING", "UNDEFINED", ""):
        return None
    try:
        return 8 * np.dtype(helper.tensor_dtype_to_np_dtype(data_type)).itemsize
    except Exception:  # a type this onnx cannot map
        return None


def dense_bytes(dims, data_type: int) -> int:
    """Bytes of a dense array of ``dims`` (strings counted as 8-byte references)."""
    bits = element_bits(data_type) or 64
    return math.ceil(math.prod(int(d) for d in dims) * bits / 8)


def all_tensors(graph):
    """(label, TensorProto or SparseTensorProto) of every tensor the graph holds, subgraphs included."""
    for t in graph.initializer:
        yield f"initializer {t.name!r}", t
    for t in graph.sparse_initializer:
        yield f"sparse initializer {t.values.name!r}", t
    for node in graph.node:
        where = f"node {node.name or node.op_type!r}"
        for attr in node.attribute:
            if attr.HasField("t"):
                yield f"{where} attribute {attr.name!r}", attr.t
            if attr.HasField("sparse_tensor"):
                yield f"{where} attribute {attr.name!r}", attr.sparse_tensor
            for t in attr.tensors:
                yield f"{where} attribute {attr.name!r}", t
            for t in attr.sparse_tensors:
                yield f"{where} attribute {attr.name!r}", t
            if attr.HasField("g"):
                yield from all_tensors(attr.g)
            for g in attr.graphs:
                yield from all_tensors(g)


def check_external(model, base_dir: str, source: str) -> None:
    """External data declared by ``model``: its bytes against the budget before any is read
    (ONNX itself resolves each location inside ``base_dir`` and checks offsets and lengths)."""
    from onnx.external_data_helper import ExternalDataInfo, uses_external_data

    total = 0
    for label, t in all_tensors(model.graph):
        if not hasattr(t, "data_location") or not uses_external_data(t):
            continue
        try:
            info = ExternalDataInfo(t)
        except ValueError as exc:
            raise FrontendError(f"{source}: {label}: bad external data ({exc})") from None
        total += dense_bytes(t.dims, t.data_type)
        if info.length is None:  # ONNX reads to the end of the file
            try:
                total += max(0, os.path.getsize(os.path.join(base_dir, info.location)) - (info.offset or 0))
            except OSError:
                pass  # ONNX names the missing file
    budget.check(total, f"the external data of {source!r}", FIX)


def check_tensors(model, source: str) -> None:
    """Every tensor holds exactly the data its dims declare; their dense bytes fit the budget."""
    from onnx import TensorProto

    total = 0
    for label, t in all_tensors(model.graph):
        dense = t if isinstance(t, TensorProto) else t.values
        dims = list(t.dims)
        if any(d < 0 for d in dims):
            raise FrontendError(f"{source}: {label} has negative dims {dims}; the file is damaged")
        n = math.prod(dims)
        total += dense_bytes(dims, dense.data_type)
        if isinstance(t, TensorProto):
            _check_held(t, n, label, source)
        else:
            _check_held(t.values, math.prod(t.values.dims), label, source)
    budget.check(total, f"the tensors of {source!r}", FIX)


def _check_held(t, n: int, label: str, source: str) -> None:
    from onnx import TensorProto

    if t.data_location == TensorProto.EXTERNAL:
        return  # read later; checked again once loaded
    bits = element_bits(t.data_type)
    if t.raw_data:
        held, want = len(t.raw_data), (None if bits is None else math.ceil(n * bits / 8))
        unit = "bytes"
    else:
        held = sum(len(getattr(t, f)) for f in TYPED_FIELDS)
        per = 2 if t.data_type in (TensorProto.COMPLEX64, TensorProto.COMPLEX128) else 1
        want = n * per
        unit = "values"
        if bits is not None and bits < 8 and held == math.ceil(n * bits / 8 / 4):
            want = held  # sub-byte values packed into int32_data
    if want is not None and held != want:
        raise FrontendError(f"{source}: {label} declares dims {list(t.dims)} ({want:,} {unit}) but holds "
                            f"{held:,}; the file is damaged — export the model again")


def check_outputs(node, inputs: dict, opset: int, label: str) -> None:
    """The bytes ``node``'s outputs will take, inferred by ONNX's shape functions from its
    constant ``inputs`` (name → array), against the budget — before it is evaluated."""
    from onnx import defs, helper, numpy_helper, shape_inference

    total = None
    try:
        schema = defs.get_schema(node.op_type, opset, node.domain)
        types = {k: helper.make_tensor_type_proto(helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
                 for k, v in inputs.items()}
        data = {k: numpy_helper.from_array(v, k) for k, v in inputs.items() if v.size <= 1 << 16}
        outs = shape_inference.infer_node_outputs(schema, node, types, data)
        total = 0
        for name in node.output:
            tt = outs[name].tensor_type if name in outs else None
            dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim] \
                if tt is not None and tt.HasField("shape") else None
            if dims is None or None in dims:
                total = None
                break
            total += dense_bytes(dims, tt.elem_type)
    except Exception:  # an op without a schema at this opset, or shapes ONNX cannot infer
        total = None
    if total is None:  # data-dependent outputs (NonZero, Unique, ...): bounded by their inputs
        total = 8 * sum(v.size * max(1, v.ndim) for v in inputs.values())
    op = f" ({node.op_type})" if node.name else ""
    budget.check(total, f"the outputs of node {label}{op} on its constant inputs", FIX)
