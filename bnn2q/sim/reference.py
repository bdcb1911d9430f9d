"""The reference simulator: SPEC §2–3 written as plainly as possible.

Within a layer the neurons are independent given the previous layer's bits (each neuron qubit
starts in |0⟩ and is rotated by an angle that depends only on measured bits), so every shot of
every layer is one Bernoulli draw per neuron with the activation's P(bit = 1 | u): a float32
uniform ``d`` and ``bit = d < p``. ``bnn2q.simulate`` (the fast path) is tested against this."""

from __future__ import annotations

import math

import numpy as np

from .. import activations
from ..errors import InputError
from ..ir import Layer
from .inputs import first_layer_inputs, prepare_inputs
from .result import SimResult

#: Samples × shots × neurons per chunk: bounds the working memory (~4 bytes each).
CHUNK_ELEMENTS = 1 << 24


def preactivations(layer: Layer, y: np.ndarray) -> np.ndarray:
    """u = a · max_pool(W y) + c for inputs y [..., n_in] (float)."""
    w = layer.matrix()
    z = y @ (w.T.astype(y.dtype, copy=False))
    if layer.pool is not None:
        z = z[..., layer.pool].max(axis=-1)
    return layer.scale * z + layer.offset


def layer_output_bits(layer: Layer, bits: np.ndarray) -> np.ndarray:
    """The bits the next layer reads: OR-pooled if the layer pools after its sign."""
    if layer.or_pool is None:
        return bits
    return bits[..., layer.or_pool].max(axis=-1)


def spins(bits: np.ndarray) -> np.ndarray:
    """y = 2 s − 1 as float32 (exact for the integer sums that follow)."""
    return bits.astype(np.float32) * 2.0 - 1.0


def check_shots(shots) -> int:
    if isinstance(shots, bool) or int(shots) != shots or shots < 1:
        raise InputError(f"shots must be a positive integer, got {shots!r}")
    return int(shots)


def simulate_reference(
    net,
    x,
    activation="rotation",
    quantumness: float = 0.0,
    g: float = math.pi / 2,
    shots: int = 100,
    seed: int | None = 0,
) -> SimResult:
    """Sample the quantum network's outcomes the straightforward way (same arguments as
    ``bnn2q.simulate``; seeds NumPy's PCG64 generator)."""
    from ..frontends import load

    net = load(net)
    act = activations.get(activation, quantumness, g)
    shots = check_shots(shots)
    xs = first_layer_inputs(net, prepare_inputs(net, x))
    n = xs.shape[0]
    rng = np.random.default_rng(seed)
    widest = max(max(layer.width, layer.linear.n_out) for layer in net.layers)
    chunk = max(1, CHUNK_ELEMENTS // (shots * widest))
    bits_out = [np.empty((n, shots, layer.width), dtype=np.uint8) for layer in net.hidden]
    logits = np.empty((n, shots, net.n_classes), dtype=np.float64)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        y = xs[lo:hi]
        for k, layer in enumerate(net.hidden):
            p = act.p_one(preactivations(layer, y)).astype(np.float32)
            if k == 0:
                p = p[:, None, :]  # the first layer's angles are the same for every shot
            draws = rng.random((hi - lo, shots, layer.width), dtype=np.float32)
            bits = draws < p
            bits_out[k][lo:hi] = bits
            y = spins(layer_output_bits(layer, bits))
        if not net.hidden:
            y = np.broadcast_to(y[:, None, :], (hi - lo, shots, y.shape[-1]))
        logits[lo:hi] = preactivations(net.readout, y)
    return SimResult(bits_out, logits)
