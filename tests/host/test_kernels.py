"""The NumPy kernels' convolution: chunked im2col, and bands of output lines when one image's
patches exceed the chunk (memory bounded whatever the input size), equal to the dense matrix."""

from __future__ import annotations

import numpy as np
import pytest

from bnn2q.ir import Conv2D
from bnn2q.host import kernels

CONVS = [  # in_shape, kernel (kh, kw), strides, padding, groups
    ((5, 5, 3), (3, 3), (1, 1), (1, 1, 1, 1), 1),
    ((6, 7, 4), (2, 3), (2, 1), (0, 1, 1, 0), 1),
    ((9, 9, 2), (4, 4), (3, 3), (3, 0, 1, 2), 1),
    ((7, 7, 4), (3, 3), (2, 1), (1, 1, 1, 1), 2),
]


@pytest.mark.parametrize("in_shape,kernel,strides,padding,groups", CONVS)
@pytest.mark.parametrize("patch_elements", [1 << 20, 40, 1], ids=["chunks", "bands", "lines"])
def test_convolution_equals_its_matrix(monkeypatch, in_shape, kernel, strides, padding, groups, patch_elements):
    monkeypatch.setattr(kernels, "PATCH_ELEMENTS", patch_elements)
    rng = np.random.default_rng(0)
    op = Conv2D("c", rng.normal(size=kernel + (in_shape[2] // groups, 6)), in_shape=in_shape, strides=strides,
                padding=padding, groups=groups)
    x = rng.normal(size=(3,) + in_shape)
    got = kernels.Kernels().run(op, [x], [in_shape], op.shape_out)
    want = (x.reshape(3, -1) @ op.matrix().T).reshape(got.shape)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
