"""Models nobody here wrote: larq-zoo's six architectures from Keras and from their tf2onnx
export. Each either reproduces ``predict``'s argmax at the classical limit on 20 inputs, or is
refused with one line naming its first real nonlinearity between two sign layers."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import PassError

from .conftest import to_onnx
from .zoo import MODELS, build

#: Models with a real nonlinearity between signs: the first one bnn2q meets, per frontend.
REFUSED = {
    "QuickNetSmall": (r"'quant_conv2d_\d+\.relu' applies a real relu between two sign layers",
                      r"'quicknet_small/quant_conv2d_\d+/Relu' applies a real relu between two sign layers"),
    "BinaryDenseNet28": (r"'activation(_\d+)?' applies a real relu between two sign layers",
                         r"'binary_densenet28/activation(_\d+)?/Relu' applies a real relu between two sign layers"),
}


@pytest.fixture(scope="module", params=sorted(MODELS))
def zoo_model(request):
    model, x = build(request.param)
    return request.param, model, x


def test_loads_from_keras_and_tf2onnx_and_matches_predict(zoo_model):
    name, model, x = zoo_model
    expected = model.predict(x, verbose=0).argmax(axis=1)
    sources = {"keras": model, "onnx": to_onnx(model)}
    for k, (frontend, source) in enumerate(sources.items()):
        if name in REFUSED:
            with pytest.raises(PassError, match=REFUSED[name][k]) as info:
                bnn2q.load(source)
            assert "\n" not in str(info.value)
            continue
        net = bnn2q.load(source)
        assert len(net.hidden) >= 6, f"{name} ({frontend})"
        np.testing.assert_array_equal(bnn2q.simulate(net, x, shots=1).predictions, expected,
                                      err_msg=f"{name} from {frontend}")
