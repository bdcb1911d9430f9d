"""A QONNX graph in the exact shape Brevitas writes for the BNN-PYNQ TFC_1W1A binary MLP
(784-64-64-64-10, 1-bit weights and activations), built with ``onnx.helper`` (Brevitas and
PyTorch are not test dependencies).

The shape was read off real exports (torch 2.4.1, brevitas 0.11.0 ``export_qonnx``, qonnx 1.0.0
``cleanup``):

raw:    opset imports ("", 17) and ("onnx.brevitas", 1); the batch-norm and TensorNorm tensors
        are graph inputs *and* initializers; ``x.view(x.shape[0], -1)`` is a constant Reshape
        (static batch) or Shape → Gather → Unsqueeze → Concat → Reshape (dynamic batch); the
        input step 2x − 1 is Mul, Sub; every quantizer — on activations and on the ±1 weight
        constants — is ``BipolarQuant`` (one shared scale 1.0); weights pass a Transpose;
        BatchNormalization on [N, C]; TensorNorm is Sub, Pow, Div, Mul, Add.
clean:  qonnx's cleanup: the domain becomes ``qonnx.custom_op.general`` but the opset import
        still names ``onnx.brevitas`` only; Transpose and Pow are folded; names are generic.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from onnx.reference.op_run import OpRun

DIMS = (784, 64, 64, 64, 10)


def _bipolar(domain):
    def _run(self, x, scale):
        return ((np.where(x >= 0, 1.0, -1.0) * scale).astype(x.dtype),)  # QONNX spec, scale > 0

    return type("BipolarQuant", (OpRun,), {"op_domain": domain, "_run": _run})


BIPOLAR_OPS = [_bipolar("onnx.brevitas"), _bipolar("qonnx.custom_op.general")]


def params(seed=0):
    rng = np.random.default_rng(seed)
    f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    return {
        "w": [f32(np.where(rng.normal(size=(b, a)) >= 0, 1, -1)) for a, b in zip(DIMS[:-1], DIMS[1:])],
        "bn": [{"weight": f32(rng.uniform(0.5, 1.5, c)), "bias": f32(0.3 * rng.normal(size=c)),
                "running_mean": f32(3 * rng.normal(size=c)), "running_var": f32(rng.uniform(5, 25, c))}
               for c in DIMS[1:-1]],
        "tn": {"weight": f32([0.7]), "bias": f32([0.2]), "mean": f32([1.5]), "var_eps": f32([40.0001])},
    }


def tfc_1w1a(variant="raw", dynamic_batch=False, seed=0):
    p = params(seed)
    nodes, inits, extra_inputs = [], [], []
    domain = "onnx.brevitas" if variant == "raw" else "qonnx.custom_op.general"
    scale = "onnx.brevitas::BipolarQuant_34"

    def init(name, value, graph_input=False):
        value = np.asarray(value)
        inits.append(numpy_helper.from_array(value, name))
        if graph_input:
            extra_inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(value.shape)))
        return name

    def node(op, inputs, name, **kw):
        out = f"{name}_output_0"
        nodes.append(helper.make_node(op, inputs, [out], name=name, **kw))
        return out

    init(scale, np.float32([1.0]))
    x = "onnx::Reshape_0"
    if dynamic_batch:
        shape = node("Shape", [x], "/Shape")
        n = node("Gather", [shape, init("/Constant_output_0", np.array(0, np.int64))], "/Gather", axis=0)
        n = node("Unsqueeze", [n, init("onnx::Unsqueeze_28", np.array([0], np.int64))], "/Unsqueeze")
        target = node("Concat", [n, init("/Constant_1_output_0", np.array([-1], np.int64))], "/Concat", axis=0)
    else:
        target = init("/Constant_output_0", np.array([1, -1], np.int64))
    h = node("Reshape", [x, target], "/Reshape", allowzero=0)
    h = node("Mul", [h, init("/Constant_2_output_0", np.array(2.0, np.float32))], "/Mul")
    h = node("Sub", [h, init("/Constant_3_output_0", np.float32([1.0]))], "/Sub")
    h = node("BipolarQuant", [h, scale], "/features.0/act_quant/export_handler/BipolarQuant", domain=domain)
    for i, w in enumerate(p["w"]):
        li = 2 + 4 * i
        wq = f"/features.{li}/weight_quant/export_handler"
        if variant == "raw":
            wb = node("BipolarQuant", [init(f"{wq}/Constant_output_0", w), scale], f"{wq}/BipolarQuant", domain=domain)
            wt = node("Transpose", [wb], f"/features.{li}/Transpose", perm=[1, 0])
        else:
            wt = node("BipolarQuant", [init(f"BipolarQuant_{i}_param0", np.ascontiguousarray(w.T)),
                                       init(f"BipolarQuant_{i}_param1", np.float32([1.0]))], f"BipolarQuant_{i}",
                      domain=domain)
        h = node("MatMul", [h, wt], f"/features.{li}/MatMul")
        if i < len(p["bn"]):
            bn = p["bn"][i]
            names = [init(f"features.{li + 1}.{k}", bn[k], graph_input=variant == "raw")
                     for k in ("weight", "bias", "running_mean", "running_var")]
            h = node("BatchNormalization", [h, *names], f"/features.{li + 1}/BatchNormalization", epsilon=1e-5,
                     momentum=0.9, training_mode=0)
            h = node("BipolarQuant", [h, scale], f"/features.{li + 2}/act_quant/export_handler/BipolarQuant",
                     domain=domain)
    tn = p["tn"]
    t = "features.15"
    h = node("Sub", [h, init(f"{t}.running_mean", tn["mean"], graph_input=variant == "raw")], f"/{t}/Sub")
    if variant == "raw":
        std = node("Pow", [init("onnx::Pow_71", tn["var_eps"], graph_input=True),
                           init(f"/{t}/Constant_output_0", np.array(0.5, np.float32))], f"/{t}/Pow")
    else:
        std = init("Div_0_param0", np.sqrt(tn["var_eps"]))
    h = node("Div", [h, std], f"/{t}/Div")
    h = node("Mul", [h, init(f"{t}.weight", tn["weight"], graph_input=variant == "raw")], f"/{t}/Mul")
    nodes.append(helper.make_node("Add", [h, init(f"{t}.bias", tn["bias"], graph_input=variant == "raw")], ["67"],
                                  name=f"/{t}/Add"))
    batch = "N" if dynamic_batch else 1
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [batch, 1, 28, 28]), *extra_inputs],
        [helper.make_tensor_value_info("67", TensorProto.FLOAT, [batch, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("onnx.brevitas", 1)],
                              producer_name="pytorch", producer_version="2.4.1")
    model.ir_version = 8
    return model


def reference_logits(model, x) -> np.ndarray:
    """ONNX's reference evaluator with BipolarQuant per the QONNX spec, one sample at a time
    when the batch is fixed at 1."""
    declared = {imp.domain for imp in model.opset_import}
    missing = {n.domain for n in model.graph.node if n.domain} - declared
    if missing:
        model = onnx.ModelProto.FromString(model.SerializeToString())
        model.opset_import.extend(helper.make_opsetid(d, 1) for d in sorted(missing))
    evaluator = ReferenceEvaluator(model, new_ops=BIPOLAR_OPS)
    values = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    extra = {i.name: values[i.name] for i in model.graph.input[1:]}
    name = model.graph.input[0].name
    x = np.asarray(x, dtype=np.float32).reshape(-1, 1, 28, 28)
    return np.concatenate([evaluator.run(None, {name: x[i:i + 1], **extra})[0] for i in range(len(x))])
