"""The floor: a plain float32 NumPy forward pass of the same layer shapes over the same rows.

Every shot is one row (samples × shots rows); each hidden layer is one matmul and a sign.
No sampler can beat this by much without skipping work, so the simulator is judged against it."""

from __future__ import annotations

import numpy as np


def float32_forward(net, x: np.ndarray, shots: int):
    """A closure running the forward pass once (weights converted beforehand)."""
    from bench.networks import dense_weights

    weights = [np.ascontiguousarray(w.T, dtype=np.float32) for w in dense_weights(net)]
    x32 = np.asarray(x, dtype=np.float32)

    def forward():
        y = np.repeat(x32, shots, axis=0)
        for w in weights[:-1]:
            y = y @ w
            np.sign(y, out=y)
        return y @ weights[-1]

    return forward
