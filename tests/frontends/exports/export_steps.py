"""The steps ``make_exports.py`` runs on every model: re-draw batch-norm statistics, record
PyTorch's forward (logits and every hidden sign), export, describe the ONNX file, and run it
back (onnxruntime, or qonnx's ``execute_onnx`` for QONNX custom ops). Needs torch."""

from __future__ import annotations

import collections
import zlib
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn


def _norm_layers(model):
    return [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))
            or type(m).__name__ == "TensorNorm"]


@torch.no_grad()
def redraw_batchnorms(model, x, rng, negative=0.1) -> None:
    """Statistics from what reaches each norm layer on ``x`` (layer by layer, earlier ones already
    re-drawn), then moved off it: mean + 0.3·std·N(0, 1), var·U(0.5, 2), γ = ±U(0.5, 1.5) (a
    fraction ``negative`` of them < 0), β = 0.2·N(0, 1). Every sign then fires on some inputs and
    not on others, and no layer is the identity."""
    model.eval()
    for layer in _norm_layers(model):
        seen = {}
        hook = layer.register_forward_hook(lambda m, inp, out: seen.setdefault("x", inp[0].detach()))
        model(x)
        hook.remove()
        v = seen["x"].double()
        dims = list(range(v.ndim)) if type(layer).__name__ == "TensorNorm" else [0, *range(2, v.ndim)]
        mean, std = v.mean(dims), v.std(dims).clamp_min(1e-3)
        n = mean.numel()
        f32 = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float32).reshape(mean.shape))  # noqa: E731
        layer.running_mean.copy_(f32(mean.numpy() + 0.3 * std.numpy() * rng.normal(size=n)))
        layer.running_var.copy_(f32(std.numpy() ** 2 * rng.uniform(0.5, 2.0, n)))
        gamma_sign = np.where(rng.random(n) < negative, -1.0, 1.0)
        layer.weight.data.copy_(f32(gamma_sign * rng.uniform(0.5, 1.5, n)))
        layer.bias.data.copy_(f32(0.2 * rng.normal(size=n)))


@torch.no_grad()
def forward_with_signs(model, x, sign_modules):
    """PyTorch's logits and, per sign module, (pre-activation, output) as float arrays."""
    model.eval()
    seen = []
    hooks = [m.register_forward_hook(lambda m, inp, out: seen.append((inp[0].detach(), out.detach())))
             for m in sign_modules]
    logits = model(x)
    for h in hooks:
        h.remove()
    assert len(seen) == len(sign_modules), "a sign module ran more than once or not at all"
    return logits.numpy(), [(p.numpy(), o.numpy()) for p, o in seen]


def export_torchscript(model, x, path: Path, dynamic_batch=True) -> None:
    kw = {"dynamic_axes": {"x": {0: "N"}, "logits": {0: "N"}}} if dynamic_batch else {}
    torch.onnx.export(model, (x,), str(path), dynamo=False, input_names=["x"], output_names=["logits"], **kw)


def export_dynamo(model, x, path: Path) -> None:
    """torch.export → ONNX with the exporter's defaults, the weights kept inside the file."""
    torch.onnx.export(model, (x,), str(path), dynamo=True, external_data=False, input_names=["x"],
                      output_names=["logits"], verbose=False)


def qonnx_clean(src: Path, dst: Path) -> None:
    from qonnx.util.cleanup import cleanup

    cleanup(str(src), out_file=str(dst))


def _dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def describe(path: Path) -> dict:
    """What a reader of the file meets: op types (Counter), custom domains, opsets, sizes."""
    model = onnx.load(str(path))
    g = model.graph
    inits = {i.name for i in g.initializer}
    constants = inits | {o for n in g.node if n.op_type == "Constant" for o in n.output}
    const_nodes = [n.op_type for n in g.node if n.op_type != "Constant" and n.input and all(i in constants for i in n.input if i)]
    raw = path.read_bytes()
    return {
        "bytes": len(raw),
        "zlib_bytes": len(zlib.compress(raw, 6)),
        "ir_version": model.ir_version,
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
        "opset_imports": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "ops": dict(collections.Counter(n.op_type for n in g.node).most_common()),
        "custom_domains": sorted({f"{n.domain}:{n.op_type}" for n in g.node if n.domain}),
        "nodes_on_constants_only": dict(collections.Counter(const_nodes).most_common()),
        "inputs": {i.name: _dims(i) for i in g.input if i.name not in inits},
        "initializers_also_graph_inputs": sum(i.name in inits for i in g.input),
        "outputs": {o.name: _dims(o) for o in g.output},
        "initializers": len(g.initializer),
        "parameters": int(sum(np.prod(i.dims) for i in g.initializer)),
        "external_data": any(i.data_location == onnx.TensorProto.EXTERNAL for i in g.initializer),
    }


def _per_sample(run, x, static_batch):
    if static_batch:
        return np.concatenate([run(x[i:i + 1]) for i in range(len(x))])
    return run(x)


def ort_logits(path: Path, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    static = isinstance(inp.shape[0], int)
    return _per_sample(lambda b: sess.run(None, {inp.name: b})[0], x, static)


def qonnx_logits(path: Path, x: np.ndarray) -> np.ndarray:
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx

    from qonnx.transformation.infer_shapes import InferShapes

    model = ModelWrapper(str(path)).transform(InferShapes())  # the TorchScript export leaves shapes open
    name, out = model.graph.input[0].name, model.graph.output[0].name
    return _per_sample(lambda b: execute_onnx(model, {name: b})[out], x, static_batch=True)


def sign_arrays(pairs, keep_pre: bool, n_signs: int | None = None) -> dict:
    """npz entries per hidden sign k: ``sign{k}`` (int8 ±1, first ``n_signs`` samples),
    ``margin{k}`` (per sample, min |pre-activation|), ``pre{k}`` when ``keep_pre``."""
    out = {}
    for k, (pre, post) in enumerate(pairs):
        flat = pre.reshape(len(pre), -1)
        out[f"margin{k}"] = np.abs(flat).min(axis=1).astype(np.float32)
        out[f"sign{k}"] = np.rint(post[:n_signs]).astype(np.int8)
        if keep_pre:
            out[f"pre{k}"] = pre.astype(np.float32)
    return out
