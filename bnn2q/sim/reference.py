"""The reference simulator: SPEC §2–3 written as plainly as possible.

Every step runs in float64 on [samples, shots, ...] arrays. A hidden layer is sampled by its
activation's definition:

- rotation, ancilla-reset: each neuron is an independent Bernoulli draw with the activation's
  P(bit = 1 | u) (a float32 uniform ``d`` and ``bit = d < p``);
- ancilla (the paper's network): the neuron qubit and its ancilla are evolved *literally* as a
  two-qubit real state vector per neuron and shot — R_y on the neuron, CX·R_y(g)·CX, H on the
  ancilla, a measurement of the ancilla and the collapse of the pair — and the neuron's state
  is carried to the next layer. This shares nothing with the Kraus-operator update of the fast
  sampler, which the tests hold to it.

``bnn2q.simulate`` (the fast path) must have these statistics."""

from __future__ import annotations

import math

import numpy as np

from .. import activations
from ..errors import InputError
from ..host.inputs import prepare_inputs
from ..host.kernels import Kernels
from ..ir import INPUT, Network
from ..noise import resolve
from .memory import check_memory
from .result import SimResult

#: Samples × shots × widest value per chunk: bounds the working memory.
CHUNK_ELEMENTS = 1 << 22


def check_shots(shots) -> int:
    if isinstance(shots, bool) or int(shots) != shots or shots < 1:
        raise InputError(f"shots must be a positive integer, got {shots!r}")
    return int(shots)


def require_network(net) -> Network:
    """``net`` itself: the simulator reads loaded networks (``bnn2q.simulate`` loads files)."""
    if not isinstance(net, Network):
        raise InputError(f"the simulator takes a Network, not a {type(net).__name__}: load it with "
                         "bnn2q.load, or call bnn2q.simulate, which loads anything bnn2q.load takes")
    return net


def spins(bits: np.ndarray) -> np.ndarray:
    """y = 2 s − 1 as float32 (exact for the integer sums that follow)."""
    return bits.astype(np.float32) * 2.0 - 1.0


def simulate_reference(net, x, activation="rotation", quantumness: float = 0.0,
                       g: float = math.pi / 2, shots: int = 100, seed: int | None = 0,
                       noise=None) -> SimResult:
    """Sample the quantum network's outcomes the straightforward way (the arguments of
    ``bnn2q.sim.simulate``; seeds NumPy's PCG64 generator)."""
    net = require_network(net)
    act = activations.get(activation, quantumness, g)
    layer_noise = resolve(noise, net, act)
    shots = check_shots(shots)
    xs = prepare_inputs(net, x)
    n = xs.shape[0]
    rng = np.random.default_rng(seed)
    kernels = Kernels()
    widest = max(int(np.prod(s, dtype=np.int64)) for s in net.shapes.values())
    chunk = max(1, CHUNK_ELEMENTS // (shots * widest))
    check_memory(net, n, shots, True, chunk * shots)
    bits_out = [np.empty((n, shots, layer.width), dtype=np.uint8) for layer in net.hidden]
    logits = np.empty((n, shots, net.n_classes), dtype=np.float64)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        values = {INPUT: xs[lo:hi].reshape((hi - lo, 1) + net.input_shape)}
        measure = _Measurement(act, rng, (hi - lo, shots), len(net.hidden), layer_noise)
        for step in net.steps:
            args = [values[v] for v in step.inputs]
            k = net.layer_of.get(step.output)
            if k is None:
                shapes = [net.shapes[v] for v in step.inputs]
                values[step.output] = kernels.run(step.op, args, shapes, net.shapes[step.output])
                continue
            layer = net.hidden[k]
            u = np.broadcast_to(args[0], (hi - lo, shots) + layer.shape).reshape(hi - lo, shots, layer.width)
            bits = measure(k, u, layer.strict)
            bits_out[k][lo:hi] = bits
            values[step.output] = (2.0 * bits - 1.0).reshape((hi - lo, shots) + layer.shape)
        out = values[net.output]
        logits[lo:hi] = np.broadcast_to(out, (hi - lo, shots) + out.shape[2:]).reshape(hi - lo, shots, -1)
    return SimResult(bits_out, logits)


class _Measurement:
    """Samples hidden layer k's bits from its pre-activations, layer after layer."""

    def __init__(self, act, rng, rows: tuple, n_layers: int, noise=None):
        self.act, self.rng, self.rows, self.n_layers, self.noise = act, rng, rows, n_layers, noise
        self.state = None  # ancilla: [..., width, 2] neuron amplitudes
        self.last = None  # ancilla: the neurons' last outcomes

    def __call__(self, k: int, u: np.ndarray, strict: bool) -> np.ndarray:
        if not self.act.memory:
            if self.noise is None:
                p = self.act.p_one(u, strict=strict)
            else:
                theta = self.act.angle(u, strict=strict)
                p = self.noise[k].p_one(np.cos(theta), np.sin(theta))
            return self._draw(p)
        return self._carried(k, u, strict)

    def _draw(self, p) -> np.ndarray:
        shape = self.rows + np.shape(p)[-1:]
        return (self.rng.random(shape, dtype=np.float32) < np.asarray(p).astype(np.float32)).astype(np.uint8)

    def _carried(self, k: int, u: np.ndarray, strict: bool) -> np.ndarray:
        width = u.shape[-1]
        state = np.zeros(self.rows + (width, 2))
        state[..., 0] = 1.0  # fresh neuron qubits |0⟩ with last outcome 0
        last = np.zeros(self.rows + (width,))
        if self.state is not None:
            keep = min(width, self.state.shape[-2])
            state[..., :keep, :] = self.state[..., :keep, :]
            last[..., :keep] = self.last[..., :keep]
        theta = self.act.angle(u, strict=strict) - math.pi * last
        state = _apply(_ry(theta), state)
        if self.noise is not None:
            # The noisy layer as a layerwise host runs it: a fresh neuron prepared at the state's
            # angle φ and read out with the device's noise; the state then collapses ideally.
            phi = 2 * np.arctan2(state[..., 1], state[..., 0])
            r = self._draw(self.noise[k].p_one(np.cos(phi), np.sin(phi)))
            if k < self.n_layers - 1:
                (m00, m01), (m10, m11) = self.act.kraus()
                kept = state * np.where(r[..., None] == 1, [m10, m11], [m00, m01])
                self.state = kept / np.linalg.norm(kept, axis=-1, keepdims=True)
                self.last = r.astype(np.float64)
            return r
        if k == self.n_layers - 1:  # the last hidden layer is measured projectively
            p = state[..., 1] ** 2
            return (self.rng.random(u.shape, dtype=np.float32) < p.astype(np.float32)).astype(np.uint8)
        # Neuron ⊗ ancilla |0⟩, amplitudes indexed [n, a].
        pair = np.zeros(state.shape[:-1] + (2, 2))
        pair[..., :, 0] = state
        pair = _cx(pair)
        pair[...] = _apply(_ry(np.full(state.shape[:-1], self.act.g))[..., None, :, :], pair)
        pair = _cx(pair)
        pair[...] = _apply(_HADAMARD, pair)
        p_one = (pair[..., :, 1] ** 2).sum(axis=-1)
        r = (self.rng.random(u.shape, dtype=np.float32) < p_one.astype(np.float32)).astype(np.uint8)
        kept = np.where(r[..., None] == 1, pair[..., :, 1], pair[..., :, 0])
        self.state = kept / np.linalg.norm(kept, axis=-1, keepdims=True)
        self.last = r.astype(np.float64)
        return r


_HADAMARD = np.array([[1.0, 1.0], [1.0, -1.0]]) / math.sqrt(2)


def _ry(theta) -> np.ndarray:
    """R_y(θ) = [[cos θ/2, −sin θ/2], [sin θ/2, cos θ/2]], batched over θ's shape."""
    c, s = np.cos(np.asarray(theta) / 2), np.sin(np.asarray(theta) / 2)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)


def _apply(matrix: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """matrix @ vector over the last axis (both batched)."""
    return np.einsum("...ij,...j->...i", matrix, vectors)


def _cx(pair: np.ndarray) -> np.ndarray:
    """CX(neuron → ancilla) on amplitudes [..., n, a]: flip a where n = 1."""
    out = pair.copy()
    out[..., 1, :] = pair[..., 1, ::-1]
    return out
