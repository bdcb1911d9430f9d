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
- ±1 layers reading bits run as XNOR-popcounts on packed 64-bit words (``packed``, numba) when
  the work repays numba's start-up; the NumPy path (BLAS on float32 spins) computes the same
  outcomes from the same words, bit for bit;
- samples × shots run in blocks of bounded size (``block``: each value computed once, on
  demand), so memory stays bounded — and is estimated before anything large is allocated
  (``memory``);
- the random words are addressed by position (``words``): a sample's outcomes depend on the
  seed and its global index (``first_sample`` + its row in x), not on the call or the blocks —
  so runs of samples go to threads whole (``lanes``), each with its own scratch.
"""

from __future__ import annotations

import copy
import math
import sys

import numpy as np

from .. import activations
from ..errors import InputError
from ..host.inputs import check_finite, prepare_inputs
from ..host.kernels import Kernels
from ..ir import INPUT, Network
from ..ir.network import ENCODER
from ..noise import resolve
from . import lanes
from .block import Block
from .blocks import blocks
from .brackets import LawTable, supported
from .conv32 import FirstConv32
from .derived import derived
from .encode32 import FirstLayer32, OutOfRange
from .measure import measure
from .memory import check_memory
from .neurons import CarriedState
from .plan import Plan
from .reference import check_seed, check_shots, require_network
from .result import SimResult
from .words import WordStream
from .workspace import Workspace

#: Rows × widest value per block, sized to stay in cache: the NumPy path holds ~20 bytes per
#: element (2¹⁸ measured best on digits- and Fashion-MNIST-sized networks); the packed path
#: keeps bits packed and its passes fused, and spends less per block on thread hand-offs with
#: larger blocks (2²⁰ measured best on 64-64-32-10, 784-256-256-10, 784-1024-1024-1024-10).
BLOCK_ELEMENTS = 1 << 18
PACKED_BLOCK_ELEMENTS = 1 << 20
#: Samples × encoder values encoded at once (float64): the encoder's matmuls run on many
#: samples, not on the few of one block.
ENCODE_ELEMENTS = 1 << 21


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
    first_sample: int = 0,
) -> SimResult:
    """Sample the quantum network's measurement outcomes.

    Args:
        net: a Network from ``bnn2q.load`` (``bnn2q.simulate`` also takes anything ``load`` does).
        x: samples, [n, *input_shape] or [n, n_inputs] (or one sample).
        activation: ``"rotation"``, ``"ancilla"`` (the paper's network: neuron qubits carry
            their state between layers) or ``"ancilla-reset"`` (the memoryless reduction).
        quantumness: τ ≥ 0 (classical at 0).
        g: ancilla coupling in [0, π/2] (classical at π/2).
        shots: shots per sample (≥ 1).
        seed: seed of the random words (``words``: a counter-based hash of the seed and each
            outcome's position); the same seed and the same arguments give the same outcomes.
        progress: show a progress bar on stderr.
        keep_bits: keep every layer's bits (``False``: ``bits`` is None and only the logits,
            8 bytes × classes per shot, are stored — for very many samples × shots).
        noise: device noise folded into each neuron (``bnn2q.noise``): None, one
            ``NeuronNoise`` per hidden layer, or a device's noise (``DeviceNoise``;
            ``bnn2q.simulate`` also resolves a device name or a spec file).
        first_sample: the global index of x[0]: a sample's outcomes depend only on the seed,
            its global index, the shots, the network and the settings, so
            ``simulate(net, x[lo:hi], ..., first_sample=lo)`` gives rows lo:hi of
            ``simulate(net, x, ...)`` bit for bit (to split a test set across workers).

    Returns:
        SimResult with per-layer bits, per-shot logits and predictions.
    """
    net = require_network(net)
    act = activations.get(activation, quantumness, g)
    if act.memory and act.fidelity == 1.0:
        # A projective readout leaves |r⟩, which R_y(θ − π r) turns into R_y(θ)|0⟩: rotation.
        act = activations.Rotation(act.quantumness)
    shots = check_shots(shots)
    check_seed(seed)
    first_sample = check_first_sample(first_sample)
    xs = prepare_inputs(net, x, keep_float32=True, finite=False)  # checked by _Sampler
    layer_noise = resolve(noise, net, act)
    if act.is_classical and layer_noise is None:
        # Every draw is certain: run one shot and let the others share it (as broadcast views,
        # which must still be indexable).
        if xs.shape[0] * shots * max([*net.widths, net.n_classes]) * 8 >= np.iinfo(np.intp).max:
            raise InputError(f"{xs.shape[0]:,} samples × {shots:,} shots are more outcomes than one array can "
                             "index; use fewer shots")
        one = _Sampler(net, act, xs, 1, None, keep_bits, np.float64).run(progress)
        bits = [_every_shot(b[:, 0], shots) for b in one.bits] if keep_bits else None
        return SimResult(bits, _every_shot(one.logits[:, 0], shots))
    sampler = _Sampler(net, act, xs, shots, seed, keep_bits, np.float32, layer_noise, first_sample)
    return sampler.run(progress)


def check_first_sample(first_sample) -> int:
    if isinstance(first_sample, bool) or int(first_sample) != first_sample or first_sample < 0:
        raise InputError(f"first_sample must be a non-negative integer, got {first_sample!r}")
    return int(first_sample)


def _every_shot(per_sample: np.ndarray, shots: int) -> np.ndarray:
    """A read-only [n, shots, ...] view repeating each sample's one outcome."""
    return np.broadcast_to(per_sample[:, None], (per_sample.shape[0], shots) + per_sample.shape[1:])


class _Sampler:
    """One simulation: the plan, run block by block."""

    def __init__(self, net: Network, act, xs, shots: int, seed, keep_bits: bool, dtype, noise=None,
                 first_sample: int = 0):
        """``seed`` None with the classical activation and no noise: no random words at all."""
        from . import packed

        self.net, self.act, self.shots, self.dtype = net, act, shots, dtype
        self.first = first_sample
        self.noise = noise
        # Outcome laws other than the activation's own p(u) go through the half angle θ/2.
        self.by_angle = act.memory or noise is not None
        self.xs = xs.reshape((xs.shape[0],) + net.input_shape)
        self.kernels = Kernels()
        n = xs.shape[0]
        rows = n * shots
        widest = max(int(np.prod(net.shapes[s.output], dtype=np.int64)) for s in net.steps if s.stage != ENCODER)
        self.plan = Plan(net, rows, act.quantumness == 0.0 and not self.by_angle)
        # The NumPy path's carried-state and noise passes cost about 3× its threshold lookups.
        self.packed = packed.wanted(self.plan.work(rows) * (3 if self.by_angle else 1))
        self.block_elements = PACKED_BLOCK_ELEMENTS if self.packed else BLOCK_ELEMENTS
        # The encoder's convolutions in float64 in a fixed order (numba) on either path once
        # numba is loaded: a sample's sums do not depend on the rows beside it.
        direct = (self.packed or "numba" in sys.modules) and packed.available()
        if direct:
            from .packed.conv import conv2d

            self.encoder_kernels = Kernels(direct_conv=conv2d)
        else:
            self.encoder_kernels = self.kernels
        # Each lane holds a block's working memory.
        self.lanes = lanes.available() if self.packed else 1
        check_memory(net, n, shots, keep_bits, self.lanes * max(1, self.block_elements // widest))
        self.plan.build(act, self.by_angle, self.packed, noise)
        classical = act.is_classical and noise is None
        self.words = None if classical else WordStream(seed, net.n_neurons, jit=self.packed)
        self.encoder = net.stage(ENCODER)
        # The first layer from real inputs in float32 with the float64 path's outcomes: at τ = 0
        # by its signs, at τ > 0 by brackets of its thresholds (``brackets``).
        self.first32 = self.law = None
        if act.quantumness == 0.0 or supported(act, noise):
            self.first32 = derived(net, "first32", lambda: FirstLayer32.match(net) or FirstConv32.match(net))
            if isinstance(self.first32, FirstConv32) and not direct:
                self.first32 = None
            if self.first32 is not None and act.quantumness > 0.0:
                self.law = LawTable.of(act, net.hidden[0].strict)
        if not isinstance(self.first32, FirstLayer32):
            check_finite(xs)  # else where the first layer reads the inputs (``FirstLayer32.norms``)
            if self.first32 is not None and xs.size and max(-xs.min(), xs.max()) >= self.first32.input_limit:
                self.first32 = self.law = None  # float32 sums could overflow: the float64 convolution
        self.exact_jit = direct
        self.widths = net.widths
        self.edges = np.cumsum([0] + self.widths)
        self.bits_out = [np.empty((n, shots, w), dtype=np.uint8) for w in self.widths] if keep_bits else None
        self.logits = np.empty((n, shots, net.n_classes), dtype=np.float64)
        self._scratch()

    def _scratch(self) -> None:
        """What running blocks changes: scratch buffers and the carried state — one set per lane."""
        self.ws = Workspace()
        self.state = self.carry = None
        if self.act.memory:
            if self.packed:
                from .packed.measure import Carry

                self.carry = Carry(self.act, max(self.widths))
            else:
                self.state = CarriedState(self.act, len(self.net.hidden))

    def lane(self) -> "_Sampler":
        """This simulation for another thread: the same inputs, plan and outputs, its own scratch
        and its own copy of the word stream (which caches the keys of its last samples)."""
        other = copy.copy(self)
        other._scratch()
        other.words = copy.copy(self.words)
        return other

    def run(self, progress: bool) -> SimResult:
        n, widest = self.xs.shape[0], self.plan.widest()
        per_sample = sum(int(np.prod(self.net.shapes[s.output], dtype=np.int64)) for s in self.encoder)
        chunk = max(1, ENCODE_ELEMENTS // max(1, per_sample))
        spans, n_lanes = lanes.units(n, self.shots, widest, chunk, self.lanes)
        todo = [(c0, c1, list(blocks(c1 - c0, self.shots, widest, self.block_elements))) for c0, c1 in spans]
        with lanes.progress(progress, sum(len(t[2]) for t in todo)) as done:
            try:
                lanes.run(self, todo, n_lanes, done)
            except OutOfRange:  # inputs beyond float32's reach: every sample again in float64
                check_finite(self.xs)
                self.first32 = self.law = None
                lanes.run(self, todo, n_lanes, done)
        return SimResult(self.bits_out, self.logits)

    def unit(self, c0: int, c1: int, unit_blocks: list, done) -> None:
        """Samples [c0, c1): encoded once, then measured block by block (blocks relative to c0)."""
        encoded = self._encode(c0, c1)
        for b in unit_blocks:
            self._block(b._replace(lo=c0 + b.lo, hi=c0 + b.hi), {k: v[b.lo: b.hi] for k, v in encoded.items()})
            done()

    def _encode(self, lo: int, hi: int) -> dict:
        """Encoder values of samples [lo, hi), float64 with a shot axis of 1 (with ``first32``:
        only the first layer's pre-activation, as its sign σ: bool)."""
        x = self.xs[lo:hi]
        if self.first32 is not None:
            flat = x.reshape(hi - lo, -1)
            if self.law is not None:
                return {self.first32.value: self.first32.bracket(flat, jit=self.exact_jit)}
            fires = self.first32.signs(flat, jit=self.packed)
            return {self.first32.value: fires.reshape((hi - lo, 1) + self.first32.shape)}
        values = {INPUT: x.astype(np.float64, copy=False)[:, None]}
        for step in self.encoder:
            args = [values[v] for v in step.inputs]
            values[step.output] = self.encoder_kernels.run(step.op, args, [self.net.shapes[v] for v in step.inputs],
                                                           self.net.shapes[step.output])
        return values

    def _words(self, b, k: int) -> np.ndarray | None:
        """Hidden layer k's words in block b, uint32 [rows, width] (None: no randomness)."""
        if self.words is None:
            return None
        width = self.widths[k]
        out = self.ws.get("words", (b.rows, width), np.uint32)
        lo = self.first + b.lo
        return self.words.block(lo, lo + b.hi - b.lo, b.s0, b.s1, int(self.edges[k]), width, out)

    def _block(self, b, encoded: dict) -> None:
        rows = (b.hi - b.lo, b.s1 - b.s0)
        block = Block(self, rows, encoded)
        n_rows = block.n_rows
        if self.state is not None:
            self.state.reset()
        if self.carry is not None:
            widest = self.carry.widest
            self.carry.reset(self.ws.get("c0", (n_rows, widest), np.float32),
                             self.ws.get("c1", (n_rows, widest), np.float32))
        for k, layer in enumerate(self.net.hidden):
            if self.bits_out is not None:
                out = self.bits_out[k][b.lo: b.hi, b.s0: b.s1].reshape(n_rows, layer.width)
            else:
                out = self.ws.get(f"bits{k}", (n_rows, layer.width), np.uint8)
            measure(self, block, k, self._words(b, k), out)
        logits = block.value(self.net.output)
        self.logits[b.lo: b.hi, b.s0: b.s1] = np.broadcast_to(
            logits, rows + logits.shape[2:]).reshape(rows + (-1,))
