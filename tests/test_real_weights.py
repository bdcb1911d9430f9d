"""The paper's network class: real-valued weights with sign activations (arXiv 2503.15482), from
Larq and in the shape PyTorch's ONNX exporter writes — loaded, simulated and compiled."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import bnn2q
from bnn2q.targets.run import sample_bits
from tests.frontends.conftest import ort_logits
from tests.targets.stats import SIGMAS, assert_same_frequencies
from tests.ties import unexplained

pytestmark = pytest.mark.xdist_group("larq-models")


def paper_model(data, hidden, epochs=1, seed=0):
    """The paper's MLP in Larq (real weights, no bias, sign activations), trained briefly."""
    from bnn2q.train.finetune import finetune
    from bnn2q.train.models import paper_mlp

    model = paper_mlp(data.image_shape, list(hidden), 10, seed=seed)
    trained, _ = finetune(model, data.x_train[:2000], data.y_train[:2000], epochs=epochs, lr=0.01,
                          optimizer="sgd", gradient="htanh", seed=seed)
    return trained


def torch_style_onnx(n_in, hidden, n_out, seed=0, input_shape=None):
    """What ``torch.onnx.export`` writes for nn.Sequential(Flatten, Linear(bias=False), Sign, …):
    Flatten, Gemm with transB=1 and no bias, Sign; weights [out, in] as PyTorch stores them."""
    rng = np.random.default_rng(seed)
    sizes = [n_in, *hidden, n_out]
    shape = input_shape or (n_in,)
    nodes = [helper.make_node("Flatten", ["input"], ["/flatten/Flatten_output_0"], axis=1, name="/flatten/Flatten")]
    inits, prev = [], "/flatten/Flatten_output_0"
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = (rng.normal(size=(b, a)) / np.sqrt(a)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"net.{2 * k + 1}.weight"))
        out = f"/net.{2 * k + 1}/Gemm_output_0" if k < len(sizes) - 2 else "output"
        nodes.append(helper.make_node("Gemm", [prev, f"net.{2 * k + 1}.weight"], [out], alpha=1.0, beta=1.0,
                                      transB=1, name=f"/net.{2 * k + 1}/Gemm"))
        if k < len(sizes) - 2:
            nodes.append(helper.make_node("Sign", [out], [f"/net.{2 * k + 2}/Sign_output_0"], name=f"/net.{2 * k + 2}/Sign"))
            prev = f"/net.{2 * k + 2}/Sign_output_0"
    graph = helper.make_graph(nodes, "main_graph",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *shape])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", n_out])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8,
                             producer_name="pytorch", producer_version="2.13.0")


@pytest.fixture(scope="module")
def paper_fashion(fashion):
    return paper_model(fashion, (512, 512))


def test_paper_architecture_in_larq_equals_predict_on_every_fashion_image(paper_fashion, fashion):
    net = bnn2q.load(paper_fashion)
    kinds = [row["kernel"] for row in __import__("bnn2q.report", fromlist=["x"]).network_summary(net)["layers"]]
    assert net.widths == [512, 512] and kinds == ["real", "real"]
    expected = paper_fashion.predict(fashion.x_test, verbose=0).argmax(axis=1)
    assert len(np.unique(expected)) == 10
    predictions = bnn2q.simulate(net, fashion.x_test, shots=1).predictions
    assert unexplained(net, fashion.x_test, predictions, expected) == []


def test_paper_architecture_in_pytorchs_export_shape_equals_onnxruntime(fashion):
    model = torch_style_onnx(784, (512, 512), 10, input_shape=(1, 28, 28))
    onnx.checker.check_model(model, full_check=True)
    net = bnn2q.load(model)
    assert net.widths == [512, 512] and net.input_shape == (1, 28, 28)
    x = fashion.x_test.reshape(-1, 1, 28, 28)
    expected = ort_logits(model, x)
    sim = bnn2q.simulate(net, x, shots=1)
    # onnxruntime sums in float32: a neuron within float32 rounding of 0 may go either way
    # (1 of 10,000 images here, |u| = 7e-8); every other prediction must agree.
    assert unexplained(net, x, sim.predictions, expected.argmax(axis=1)) == []
    assert np.mean(sim.predictions == expected.argmax(axis=1)) >= 0.999


def test_digits_sized_paper_network_from_larq_and_onnx(digits, digits_all):
    x, _ = digits_all
    model = paper_model(digits, (64, 64), epochs=3)
    expected = model.predict(x, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(bnn2q.simulate(model, x, shots=1).predictions, expected)
    proto = torch_style_onnx(64, (64, 64), 10, seed=2, input_shape=(8, 8, 1))
    sim = bnn2q.simulate(bnn2q.load(proto), x, shots=1)
    np.testing.assert_array_equal(sim.predictions, ort_logits(proto, x).argmax(axis=1))


@pytest.fixture(scope="module")
def small_real(digits):
    """A trained 64-6-5-10 real-weight Larq network: small enough for Braket's simulator."""
    return paper_model(digits, (6, 5), epochs=3, seed=1)


def test_dynamic_program_with_real_weights_matches_the_simulator_on_braket(small_real, digits):
    net = bnn2q.load(small_real)
    x = digits.x_test[5]
    prog = bnn2q.compile(net, target="braket", quantumness=0.5, inputs=x, max_qubits=2)
    assert prog.resources["max_probability_error"] < 1e-6  # 5 real weights: every sum listed
    shots = 1500
    bits = sample_bits(prog, "braket-local", shots, seed=2)
    ref = bnn2q.simulate(net, x, quantumness=0.5, shots=200_000, seed=3)
    assert_same_frequencies(bits, np.concatenate([b[0] for b in ref.bits], axis=1), "real weights, τ = 0.5")


def test_classical_program_with_real_weights_is_the_larq_model(small_real, digits):
    net = bnn2q.load(small_real)
    for x in digits.x_test[:3]:
        prog = bnn2q.compile(net, target="braket", quantumness=0.0, inputs=x, max_qubits=1)
        bits = sample_bits(prog, "braket-local", 4, seed=0)
        assert (bits == _hidden_signs(small_real, x)).all()


def _hidden_signs(model, x):
    """Larq's own hidden signs: the pre-activation each hidden sign quantizer reads."""
    from bnn2q.frontends.tf_env import import_tf

    _, keras, _ = import_tf()
    dense = [layer for layer in model.layers if type(layer).__name__ == "QuantDense"]
    probe = keras.Model(model.inputs, [layer.output for layer in dense[:-1]])
    outs = probe(x[None].astype(np.float32), training=False)
    return np.concatenate([(np.asarray(o)[0] >= 0).astype(np.uint8) for o in outs])


def test_the_reported_bound_covers_forced_rounding(small_real, digits):
    """8-bit feed-forward integers force visible rounding: the compiled program's frequencies
    stay within the reported probability bound of the exact ones (plus sampling error)."""
    net = bnn2q.load(small_real)
    x = digits.x_test[5]
    prog = bnn2q.compile(net, target="braket", quantumness=0.5, inputs=x, max_qubits=2, int_bits=8)
    bound = prog.resources["max_probability_error"]
    assert 0 < prog.resources["max_preactivation_error"] and 0 < bound < 0.5
    shots = 3000
    f = sample_bits(prog, "braket-local", shots, seed=4).mean(axis=0)
    ref = bnn2q.simulate(net, x, quantumness=0.5, shots=400_000, seed=5)
    p = np.concatenate([b[0] for b in ref.bits], axis=1).mean(axis=0)
    first = net.widths[0]  # the first layer's angles are exact (host); the second is rounded
    se = np.sqrt(p * (1 - p) / shots) + 1e-9
    assert np.all(np.abs(f[:first] - p[:first]) <= SIGMAS * se[:first])
    # Given the first layer's bits each rounded neuron is within the bound; so is its average.
    assert np.all(np.abs(f[first:] - p[first:]) <= bound + SIGMAS * se[first:])


def test_plain_real_weight_larq_model_fine_tunes_and_compiles(small_real, digits, tmp_path):
    from bnn2q.cli import run as cli_run

    path = tmp_path / "real.h5"
    small_real.save(path)
    out = tmp_path / "tuned.h5"
    assert cli_run(["finetune", str(path), "--dataset", "digits", "--quantumness", "0.5", "--epochs", "1",
                    "--train-size", "300", "--shots", "5", "--seeds", "1", "-o", str(out)]) == 0
    prog = bnn2q.compile(str(out), target="qasm3", quantumness=0.5, tolerance=0.01)
    assert prog.resources["conditionals"] > 0
