"""Split a kernel into ±1 signs and one positive scale per output unit when it is binary."""

from __future__ import annotations

import numpy as np

from ..errors import FrontendError

#: Relative tolerance on |W| = scale within one output unit (float32 rounding of a product).
RTOL = 1e-6


def split_kernel(weights: np.ndarray, out_axis: int, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(kernel, scale [n_out]) with W = kernel · scale per output unit: the kernel is ±1 when
    every unit's weights are ±one magnitude (an integer fast path downstream), else W itself
    with scale 1 (a real kernel).

    Args:
        weights: the kernel as stored (any float dtype).
        out_axis: the axis of the output units (channels).
        where: ``"node 'x' (MatMul)"`` or similar, for the error message.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0:
        raise FrontendError(f"{where}: the kernel is empty")
    if not np.all(np.isfinite(w)):
        raise FrontendError(f"{where}: the kernel holds NaN or inf")
    per_unit = np.moveaxis(np.abs(w), out_axis, -1).reshape(-1, w.shape[out_axis])
    scale = per_unit.max(axis=0)
    if np.all(scale > 0) and np.allclose(per_unit, scale, rtol=RTOL, atol=0):
        return np.where(w >= 0, 1.0, -1.0), scale
    return w, np.ones(w.shape[out_axis])
