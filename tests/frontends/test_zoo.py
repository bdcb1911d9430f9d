"""Models nobody here wrote: larq-zoo's architectures from Keras and from their tf2onnx export.

Each either reproduces ``predict``'s argmax at the classical limit on 20 inputs, or is refused
with one true line: DoReFa-Net (2-bit activations, no sign), and the live Keras builds of
MeliusNet22 and Real-to-Binary Net, which hold Python Lambdas — read instead as larq-zoo's own
factories with those Lambdas written as TensorFlow ops (``zoo.TF_OP_VARIANTS``).

The suite runs the architectures that cover every kind of layer (``LIVE``); the five it leaves
to ``bench/zoo.py`` — BinaryDenseNet28/37/37Dilated/45 and QuickNet/QuickNetLarge — repeat
those layers at several times the size (a few million neurons per sample for the DenseNets),
and the README's table of all twelve is that script's CSV, which ``test_the_readme_table_is_
the_benchmarks`` holds the README to."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import Bnn2qError

from .conftest import to_onnx
from .zoo import MODELS, build

pytestmark = pytest.mark.xdist_group("larq-models")

ROOT = Path(__file__).resolve().parents[2]
#: (model, TF-op variant) run here: the larq-zoo layer set once each.
LIVE = [("BinaryAlexNet", False), ("XNORNet", False), ("BiRealNet", False), ("BinaryResNetE18", False),
        ("QuickNetSmall", False), ("RealToBinaryNet", False), ("RealToBinaryNet", True), ("MeliusNet22", True),
        ("DoReFaNet", False)]
#: Read here from Keras only: tf2onnx's conversion of XNORNet at 224×224 peaks near 14 GB resident
#: (measured), more than a test may take; bench/zoo.py runs that export for the README table, which
#: ``test_the_readme_table_is_the_benchmarks`` holds to 20/20.
KERAS_ONLY = {"XNORNet"}
#: Refusals, per model and frontend: the first line bnn2q gives.
REFUSED = {
    ("DoReFaNet", "keras"): r"its activations are multi-bit quantizers \('quant_conv2d\w*.input_quantizer' is a 2-bit "
                            r"quantizer \(4 levels\)\) and none is a sign",
    ("DoReFaNet", "onnx"): r"its activations are multi-bit quantizers \('.*' is a rounding to a grid of unbounded "
                           r"levels\) and none is a sign",
    ("RealToBinaryNet", "keras"): r"layer 'r2b_bnn_block_2_out' is a Lambda: Python code, which bnn2q does not run",
    ("MeliusNet22", "keras"): r"layer 'stem_s1_groupconv_split' is a Lambda: Python code",
}


@pytest.fixture(scope="module", params=LIVE, ids=[n + (" (TF ops)" if v else "") for n, v in LIVE])
def zoo_model(request):
    name, tf_ops = request.param
    model, x = build(name, tf_ops=tf_ops)
    return name, tf_ops, model, x


def test_loads_from_keras_and_tf2onnx_and_matches_predict(zoo_model):
    name, tf_ops, model, x = zoo_model
    probabilities = model.predict(x, verbose=0)
    expected = probabilities.argmax(axis=1)
    for frontend, source in (("keras", lambda: model), ("onnx", lambda: to_onnx(model))):
        if frontend == "onnx" and name in KERAS_ONLY:
            continue
        refusal = None if tf_ops else REFUSED.get((name, frontend))
        if refusal is not None:
            with pytest.raises(Bnn2qError, match=refusal) as info:
                bnn2q.load(source())
            assert "\n" not in str(info.value)
            continue
        net = bnn2q.load(source())
        assert len(net.hidden) >= 6, f"{name} ({frontend})"
        result = bnn2q.simulate(net, x, shots=1)
        np.testing.assert_array_equal(result.predictions, expected, err_msg=f"{name} from {frontend}")
        # Random weights favour few classes, so the argmax alone says little: the probabilities
        # themselves match Keras' float32 ones (1e-7–1e-5 measured).
        np.testing.assert_allclose(_softmax(result.logits[:, 0]), probabilities, atol=1e-4,
                                   err_msg=f"{name} from {frontend}")


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_the_readme_table_is_the_benchmarks():
    """Every model of larq-zoo has a row in bench/results/zoo.csv, and the README shows it."""
    with open(ROOT / "bench" / "results" / "zoo.csv") as f:
        rows = list(csv.DictReader(f))
    names = {row["model"].removesuffix(" (TF ops)") for row in rows}
    assert names == set(MODELS), sorted(set(MODELS) ^ names)
    readme = (ROOT / "README.md").read_text()
    for row in rows:
        line = next((ln for ln in readme.splitlines() if ln.startswith(f"| {row['model']} |")), None)
        assert line is not None, row["model"]
        for frontend in ("keras", "onnx"):
            result = row[frontend]
            shown = result if not result.startswith("refused") else "refused"
            assert shown in line, (row["model"], frontend, line)
        if row["model"] != "DoReFaNet":
            assert re.match(r"20/20$", row["onnx"]) or row["onnx"].startswith("refused"), row
            assert row["keras"] == "20/20" or row["keras"].startswith("refused: layer"), row
