"""Checks an ONNX model must pass before bnn2q walks it: a readable file, a supported opset,
ONNX's own checker with shape inference, one static-shaped float input and one output."""

from __future__ import annotations

from pathlib import Path

from ..errors import FrontendError

#: Sign exists from opset 9; newer than the installed onnx knows cannot be checked.
MIN_OPSET = 9
FLOAT_TYPES = (1, 10, 11)  # float32, float16, float64


def load_model_file(path: Path):
    """Parse ``path`` as an ONNX ModelProto; external data is read only from beside the model
    (ONNX resolves each location inside the model's folder) and only after its size is checked."""
    import onnx
    from onnx.external_data_helper import load_external_data_for_model

    from .. import budget
    from .onnx_sizes import FIX, check_external

    size = path.stat().st_size
    if size == 0:
        # An empty file parses as an empty ModelProto; say what is really wrong.
        raise FrontendError(f"ONNX model file {str(path)!r} is empty; export the model again")
    budget.check(2 * size, f"the ONNX file {str(path)!r} parsed", FIX)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # protobuf DecodeError, OSError, ...
        raise FrontendError(
            f"cannot read ONNX model {str(path)!r}: {type(exc).__name__}: {_first_line(exc)}; "
            "is the file complete?"
        ) from None
    check_external(model, str(path.parent), str(path))
    try:
        load_external_data_for_model(model, str(path.parent))
    except Exception as exc:  # a missing file, a location outside the folder, a bad offset, ...
        raise FrontendError(
            f"cannot read the external data of ONNX model {str(path)!r}: {_first_line(exc)}; "
            "external data must lie in the model's folder, as the exporter wrote it"
        ) from None
    return model


def default_opset(model) -> int:
    """The model's default-domain opset, checked against what bnn2q and onnx support."""
    import onnx

    versions = [imp.version for imp in model.opset_import if imp.domain in ("", "ai.onnx")]
    newest = onnx.defs.onnx_opset_version()
    if not versions:
        raise FrontendError("the ONNX model imports no default-domain opset; re-export it")
    opset = versions[0]
    if not MIN_OPSET <= opset <= newest:
        raise FrontendError(
            f"the ONNX model uses opset {opset}; bnn2q reads opsets {MIN_OPSET} to {newest} "
            "(re-export with e.g. opset=13)"
        )
    return opset


def check_model(model) -> None:
    """ONNX's checker with strict shape inference; the first problem becomes one line."""
    import onnx

    if not model.graph.node:
        raise FrontendError(f"the ONNX graph {model.graph.name!r} has no nodes (an empty model)")
    declared = {imp.domain for imp in model.opset_import}
    missing = sorted({n.domain for n in model.graph.node if n.domain} - declared - {"ai.onnx"})
    if missing:
        # qonnx's cleanup leaves its custom domain undeclared; the checker needs it declared.
        model = onnx.ModelProto.FromString(model.SerializeToString())
        model.opset_import.extend(onnx.helper.make_opsetid(domain, 1) for domain in missing)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:  # ValidationError, InferenceError, ...
        raise FrontendError(f"invalid ONNX model: {_first_line(exc)}") from None


def single_input(model) -> tuple[str, tuple[int, ...], int | None]:
    """(name, per-sample shape, batch size or None) of the one real input."""
    graph = model.graph
    initialized = {init.name for init in graph.initializer}
    inputs = [inp for inp in graph.input if inp.name not in initialized]
    if len(inputs) != 1:
        names = ", ".join(repr(i.name) for i in inputs) or "none"
        raise FrontendError(f"the ONNX model has {len(inputs)} inputs ({names}); bnn2q reads one")
    if len(graph.output) != 1:
        raise FrontendError(f"the ONNX model has {len(graph.output)} outputs; bnn2q reads one (the logits)")
    inp = inputs[0]
    ttype = inp.type.tensor_type
    if not inp.type.HasField("tensor_type") or ttype.elem_type not in FLOAT_TYPES:
        raise FrontendError(f"input {inp.name!r} is not a float tensor; bnn2q reads real or ±1 inputs")
    if not ttype.HasField("shape") or len(ttype.shape.dim) < 2:
        raise FrontendError(
            f"input {inp.name!r} has no [batch, ...] shape; export with a fixed per-sample shape"
        )
    dims = list(ttype.shape.dim)
    batch = dims[0].dim_value if dims[0].HasField("dim_value") else None
    shape = []
    for axis, dim in enumerate(dims[1:], start=1):
        if not dim.HasField("dim_value") or dim.dim_value <= 0:
            what = repr(dim.dim_param) if dim.HasField("dim_param") else "unknown"
            raise FrontendError(
                f"input {inp.name!r}: dimension {axis} is dynamic ({what}) and cannot be resolved; "
                "export with a fixed per-sample input shape (only the batch axis may vary)"
            )
        shape.append(int(dim.dim_value))
    return inp.name, tuple(shape), batch


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    line = lines[0] if lines else type(exc).__name__
    return line if len(line) <= 200 else line[:197] + "..."
