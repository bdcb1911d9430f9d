"""Shape and check the samples a network reads (SPEC §1: the first layer sees real x)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..ir import Network


def prepare_inputs(net: Network, x, keep_float32: bool = False, finite: bool = True) -> np.ndarray:
    """Return x as float64 [n_samples, n_inputs] in flat channels-last order (``keep_float32``:
    float32 input stays float32, uncopied; ``finite`` False: the caller checks ``check_finite``
    itself, where it reads x anyway).

    One rule for every caller (``run``, ``compile --sample``, the API): an array whose samples
    (all axes after the first) hold ``n_inputs`` values is a batch; else an array of exactly
    ``n_inputs`` values, in any shape, is one sample — so a digits image (8, 8, 1) is one sample
    of a 64-input model, as the batch (n, 8, 8, 1) is n samples."""
    arr = np.asarray(x)
    if not (keep_float32 and arr.dtype == np.float32):
        try:
            arr = arr.astype(np.float64, copy=False)
        except (TypeError, ValueError):
            raise InputError(f"inputs of type {arr.dtype} are not numbers; give real-valued samples") from None
    n_in = net.n_inputs
    if arr.ndim >= 2 and int(np.prod(arr.shape[1:])) == n_in:
        arr = arr.reshape(arr.shape[0], n_in)
    elif arr.size == n_in and arr.ndim >= 1:
        arr = arr.reshape(1, n_in)
    else:
        raise InputError(
            f"inputs of shape {arr.shape} do not fit the model's input shape "
            f"{tuple(net.input_shape)} ({n_in} values per sample); reshape or pick a matching dataset"
        )
    if finite:
        check_finite(arr)
    return arr


def check_finite(arr: np.ndarray) -> None:
    """Raise InputError unless every value of ``arr`` is finite."""
    if not np.all(np.isfinite(arr)):
        raise InputError("inputs hold NaN or inf values; clean the data first")
