"""Shape and check the samples a network reads (SPEC §1: the first layer sees real x)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..ir import Network


def prepare_inputs(net: Network, x) -> np.ndarray:
    """Return x as float64 [n_samples, n_inputs] in flat channels-last order.

    Accepts one sample (the model's input shape or flat) or a batch of either."""
    arr = np.asarray(x, dtype=np.float64)
    n_in = net.n_inputs
    if arr.size == n_in and arr.ndim <= len(net.input_shape) and arr.ndim >= 1:
        arr = arr.reshape(1, n_in)
    elif arr.ndim >= 2 and int(np.prod(arr.shape[1:])) == n_in:
        arr = arr.reshape(arr.shape[0], n_in)
    else:
        raise InputError(
            f"inputs of shape {arr.shape} do not fit the model's input shape "
            f"{tuple(net.input_shape)} ({n_in} values per sample); reshape or pick a matching dataset"
        )
    if not np.all(np.isfinite(arr)):
        raise InputError("inputs hold NaN or inf values; clean the data first")
    return arr
