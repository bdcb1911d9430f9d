"""Split a real kernel into ±1 signs and one positive scale per output unit, or refuse."""

from __future__ import annotations

import numpy as np

from ..errors import FrontendError

#: Relative tolerance on |W| = scale within one output unit (float32 rounding of a product).
RTOL = 1e-6


def split_binary_kernel(weights: np.ndarray, out_axis: int, where: str) -> tuple[np.ndarray, np.ndarray]:
    """W = scale_j · S with S ∈ {±1}: returns (S as int8, scale [n_out]).

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
    if np.any(scale <= 0):
        raise FrontendError(f"{where}: an output unit has an all-zero kernel; weights must be ±1")
    if not np.allclose(per_unit, scale, rtol=RTOL, atol=0):
        sample = ", ".join(f"{v:.4g}" for v in np.unique(w)[:4])
        raise FrontendError(
            f"{where}: weights are not binary (±1, or ±scale per output unit), e.g. {sample}; "
            "binarize the kernel (a sign quantizer such as larq's ste_sign, or BipolarQuant)"
        )
    return np.where(w >= 0, 1, -1).astype(np.int8), scale
