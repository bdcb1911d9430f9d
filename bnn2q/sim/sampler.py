"""The built-in simulator: exact sampling of SPEC §2–3 at the speed of the matmuls.

It has the statistics of ``reference.simulate_reference`` (the plain statement of the
semantics, which the tests hold it to) and spends its time where a classical forward pass
would:

- at the classical values (τ = 0, g = π/2) every shot is the same: one pass over the samples
  (in float64, the closest to the source model), broadcast over the shots;
- the host encoder (everything before the first sign, the first layer's angles included) runs
  once per sample, not per shot;
- a hidden layer with integer sums of spins looks its outcomes up in a table (``fused``); a
  bit fires when a uniform 24-bit random word is below its threshold (``thresholds``: exact to
  float32 resolution, like the reference); the ancilla activation's neurons carry their state
  (``neurons.CarriedState``);
- samples × shots run in blocks of bounded size, so memory stays bounded, and the next
  block's random words are drawn in a background thread while this block computes.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .. import activations
from ..ir import INPUT, Network
from ..ir.network import ENCODER, HEAD
from .blocks import blocks
from .fused import find_fused_layers, half_angle_tables, threshold_table
from .inputs import prepare_inputs
from .kernels import Kernels
from .neurons import CarriedState, fire
from .reference import check_shots
from .result import SimResult
from .thresholds import quantize
from .words import WordStream
from .workspace import Workspace

#: Rows × widest value per block: ~20 bytes each of working memory, sized to stay in cache
#: (2¹⁸ measured best on digits- and Fashion-MNIST-sized networks).
BLOCK_ELEMENTS = 1 << 18


def simulate(
    net,
    x,
    activation="rotation",
    quantumness: float = 0.0,
    g: float = math.pi / 2,
    shots: int = 100,
    seed: int | None = 0,
    progress: bool = False,
    keep_bits: bool = True,
    noise=None,
) -> SimResult:
    """Sample the quantum network's measurement outcomes.

    Args:
        net: a Network from ``bnn2q.load`` (or anything ``load`` accepts).
        x: samples, [n, *input_shape] or [n, n_inputs] (or one sample).
        activation: ``"rotation"``, ``"ancilla"`` (the paper's network: neuron qubits carry
            their state between layers) or ``"ancilla-reset"`` (the memoryless reduction).
        quantumness: τ ≥ 0 (classical at 0).
        g: ancilla coupling in [0, π/2] (classical at π/2).
        shots: shots per sample (≥ 1).
        seed: seed of the random bit generator (NumPy's SFC64); the same seed and the same
            arguments give the same outcomes.
        progress: show a progress bar on stderr.
        keep_bits: keep every layer's bits (``False``: ``bits`` is None and only the logits,
            8 bytes × classes per shot, are stored — for very many samples × shots).
        noise: device noise folded into each neuron (``bnn2q.noise``): None, one
            ``NeuronNoise`` per hidden layer, or a device model.

    Returns:
        SimResult with per-layer bits, per-shot logits and predictions.
    """
    from ..frontends import load

    from ..noise import resolve

    net = load(net)
    act = activations.get(activation, quantumness, g)
    if act.memory and act.fidelity == 1.0:
        # A projective readout leaves |r⟩, which R_y(θ − π r) turns into R_y(θ)|0⟩: rotation.
        act = activations.Rotation(act.quantumness)
    shots = check_shots(shots)
    xs = prepare_inputs(net, x)
    layer_noise = resolve(noise, net, act)
    if act.is_classical and layer_noise is None:
        # Every draw is certain: run one shot and let the others share it.
        one = _Sampler(net, act, xs, 1, None, keep_bits, np.float64).run(progress)
        bits = [_every_shot(b[:, 0], shots) for b in one.bits] if keep_bits else None
        return SimResult(bits, _every_shot(one.logits[:, 0], shots))
    sampler = _Sampler(net, act, xs, shots, WordStream(seed), keep_bits, np.float32, layer_noise)
    return sampler.run(progress)


def _every_shot(per_sample: np.ndarray, shots: int) -> np.ndarray:
    """A read-only [n, shots, ...] view repeating each sample's one outcome."""
    return np.broadcast_to(per_sample[:, None], (per_sample.shape[0], shots) + per_sample.shape[1:])


class _Sampler:
    """One simulation: the plan of steps and fused layers, run block by block."""

    def __init__(self, net: Network, act, xs, shots: int, words, keep_bits: bool, dtype, noise=None):
        self.net, self.act, self.shots, self.words, self.dtype = net, act, shots, words, dtype
        self.noise = noise
        # Outcome laws other than the activation's own p(u) go through the half angle θ/2.
        self.by_angle = act.memory or noise is not None
        self.xs = xs.reshape((xs.shape[0],) + net.input_shape)
        self.kernels = Kernels()
        self.ws = Workspace()
        n = xs.shape[0]
        self.fused = find_fused_layers(net, n * shots)
        skipped = {id(s) for f in self.fused.values() for s in f.steps}
        self.core = [s for s in net.steps if s.stage != ENCODER and id(s) not in skipped]
        self.encoder = net.stage(ENCODER)
        self.tables = {}
        for k, f in self.fused.items():
            strict = net.hidden[k].strict
            self.tables[k] = half_angle_tables(f, act, strict) if self.by_angle else threshold_table(f, act, strict)
            self.tables[k] = (self.tables[k], f.index_offset())
        self.widths = net.widths
        self.edges = np.cumsum([0] + self.widths)
        self.bits_out = [np.empty((n, shots, w), dtype=np.uint8) for w in self.widths] if keep_bits else None
        self.logits = np.empty((n, shots, net.n_classes), dtype=np.float64)
        self.state = CarriedState(act, len(net.hidden)) if act.memory else None
        self.n_layers = len(net.hidden)

    def run(self, progress: bool) -> SimResult:
        n = self.xs.shape[0]
        # Convolutions chunk their own patches (kernels.PATCH_ELEMENTS): the values bound a block.
        widest = max(int(np.prod(self.net.shapes[s.output], dtype=np.int64)) for s in self.core)
        plan = list(blocks(n, self.shots, widest, BLOCK_ELEMENTS))
        if self.words is None:
            block_words = itertools.repeat(None)
        else:
            block_words = self.words.prefetched([(self.edges[-1] * b.rows,) for b in plan])
        if progress:
            from tqdm import tqdm

            plan = tqdm(plan, desc="simulate", unit="block", leave=False)
        encoded = (None, None)
        for b, words in zip(plan, block_words):
            if encoded[0] != (b.lo, b.hi):
                encoded = ((b.lo, b.hi), self._encode(b.lo, b.hi))
            self._block(b, words, dict(encoded[1]))
        return SimResult(self.bits_out, self.logits)

    def _encode(self, lo: int, hi: int) -> dict:
        """Encoder values of samples [lo, hi), float64 with a shot axis of 1."""
        values = {INPUT: self.xs[lo:hi, None]}
        for step in self.encoder:
            values[step.output] = self._run_step(step, values, np.float64)
        return values

    def _block(self, b, words, values: dict) -> None:
        net = self.net
        rows = (b.hi - b.lo, b.s1 - b.s0)
        if self.state is not None:
            self.state.reset()
        for step in self.core:
            k = net.layer_of.get(step.output)
            if k is None:
                dtype = np.float64 if step.stage == HEAD else self.dtype
                values[step.output] = self._run_step(step, values, dtype)
                continue
            layer = net.hidden[k]
            if self.bits_out is not None:
                out = self.bits_out[k][b.lo : b.hi, b.s0 : b.s1].view(np.bool_)
            else:
                out = self.ws.get(f"bits{k}", rows + (layer.width,), np.bool_)
            own = None
            if words is not None:
                n_rows = rows[0] * rows[1]
                own = words[self.edges[k] * n_rows : self.edges[k + 1] * n_rows].reshape(out.shape)
            bits = self._measure(k, values, own, out)
            spins = self.ws.get(f"spins{k}", out.shape, self.dtype)
            np.multiply(bits, 2, out=spins, casting="unsafe")
            spins -= 1
            values[step.output] = spins.reshape(rows + layer.shape)
        logits = values[net.output]
        self.logits[b.lo : b.hi, b.s0 : b.s1] = np.broadcast_to(
            logits, rows + logits.shape[2:]).reshape(rows + (-1,))

    def _measure(self, k: int, values: dict, words, out: np.ndarray) -> np.ndarray:
        layer = self.net.hidden[k]
        fused = self.fused.get(k)
        if fused is not None:
            table, offset = self.tables[k]
            z = self._fused_sums(fused, values)
            index = self.ws.get("index", z.shape, np.intp)
            np.add(z, offset, out=index, casting="unsafe")  # exact: integers < 2²⁴
            if not self.by_angle:
                t = self.ws.get("thresholds", z.shape, np.uint32)
                return fire(words, table.take(index, out=t, mode="clip").reshape(out.shape), out)
            cos_t, sin_t = table
            cos_half, sin_half = cos_t.take(index).reshape(out.shape), sin_t.take(index).reshape(out.shape)
        else:
            u = values[layer.preactivation]
            u = u.reshape(u.shape[:2] + (layer.width,))
            if not self.by_angle:
                return fire(words, quantize(self.act.p_one(u, strict=layer.strict)), out)
            half = self.act.angle(u, strict=layer.strict) / 2
            cos_half, sin_half = np.cos(half).astype(np.float32), np.sin(half).astype(np.float32)
        noise = None if self.noise is None else self.noise[k]
        if self.state is not None:
            return self.state.measure(k, cos_half, sin_half, words, out, noise)
        cos_theta = 1 - 2 * np.square(sin_half)
        sin_theta = 2 * sin_half * cos_half
        return fire(words, quantize(noise.p_one(cos_theta, sin_theta)), out)

    def _fused_sums(self, fused, values) -> np.ndarray:
        """z of a fused layer, float32 [rows, n_sums] (max-pooled when it pools)."""
        src = values[fused.source]
        in_shape = self.net.shapes[fused.source]
        lead = src.shape[: src.ndim - len(in_shape)]
        z = self.kernels.run(fused.linear, [src], [in_shape], _out_shape(fused.linear))
        z = z.reshape(int(np.prod(lead)), -1)
        if fused.pool is not None:
            z = z[:, fused.pool].max(axis=-1)
        return z

    def _run_step(self, step, values, dtype):
        args = [values[v] for v in step.inputs]
        args = [a if a.dtype == dtype else a.astype(dtype) for a in args]
        shapes = [self.net.shapes[v] for v in step.inputs]
        return self.kernels.run(step.op, args, shapes, self.net.shapes[step.output])


def _out_shape(linear) -> tuple:
    from ..ir import Dense

    return (linear.n_out,) if isinstance(linear, Dense) else linear.shape_out
