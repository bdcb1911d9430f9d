"""The built-in simulator: exact sampling of SPEC §2–3 at the speed of the matmuls.

It has the statistics of ``reference.simulate_reference`` (the plain statement of the
semantics, which the tests hold it to) and spends its time where a classical forward pass
would:

- at the classical values (τ = 0, g = π/2) every shot is the same: one pass over the samples,
  broadcast over the shots;
- the first layer's angles do not depend on the shot: computed once per sample;
- a layer that reads bits multiplies them by BLAS and looks its thresholds up in a table
  (``bit_layers``); a bit fires when a uniform 24-bit random word is below its threshold
  (``thresholds``: exact to float32 resolution, like the reference);
- samples × shots run in blocks of bounded size, so memory stays bounded, and the next
  block's random words are drawn in a background thread while this block computes.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .. import activations
from ..ir import Layer
from .bit_layers import BitInputLayer
from .blocks import blocks
from .inputs import first_layer_inputs, prepare_inputs
from .reference import check_shots, layer_output_bits, preactivations
from .result import SimResult
from .thresholds import ALWAYS, quantize
from .words import WordStream
from .workspace import Workspace

#: Rows × widest layer per block: ~20 bytes each of working memory, sized to stay in cache
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
) -> SimResult:
    """Sample the quantum network's measurement outcomes.

    Args:
        net: a Network from ``bnn2q.load`` (or anything ``load`` accepts).
        x: samples, [n, *input_shape] or [n, n_inputs] (or one sample).
        activation: ``"rotation"`` or ``"ancilla"``.
        quantumness: τ ≥ 0 (classical at 0).
        g: ancilla coupling in [0, π/2] (classical at π/2).
        shots: shots per sample (≥ 1).
        seed: seed of the random bit generator (NumPy's SFC64); the same seed and the same
            arguments give the same outcomes.
        progress: show a progress bar on stderr.
        keep_bits: keep every layer's bits (``False``: ``bits`` is None and only the logits,
            8 bytes × classes per shot, are stored — for very many samples × shots).

    Returns:
        SimResult with per-layer bits, per-shot logits and predictions.
    """
    from ..frontends import load

    net = load(net)
    act = activations.get(activation, quantumness, g)
    shots = check_shots(shots)
    xs = first_layer_inputs(net, prepare_inputs(net, x))
    if not net.hidden:
        logits = preactivations(net.readout, xs)
        return SimResult([] if keep_bits else None, _every_shot(logits, shots))
    if act.is_classical:
        # Every draw is certain: run one shot and let the others share it.
        one = _sample(net, act, xs, 1, None, keep_bits, progress)
        bits = [_every_shot(b[:, 0], shots) for b in one.bits] if keep_bits else None
        return SimResult(bits, _every_shot(one.logits[:, 0], shots))
    return _sample(net, act, xs, shots, WordStream(seed), keep_bits, progress)


def _every_shot(per_sample: np.ndarray, shots: int) -> np.ndarray:
    """A read-only [n, shots, ...] view repeating each sample's one outcome."""
    return np.broadcast_to(per_sample[:, None], (per_sample.shape[0], shots) + per_sample.shape[1:])


def _sample(net, act, xs, shots, words, keep_bits, progress) -> SimResult:
    """Run every block; ``words`` None means the draws are certain (classical values)."""
    n = xs.shape[0]
    first, deeper = net.hidden[0], net.hidden[1:]
    kernels = [BitInputLayer(layer, act, rows=n * shots) for layer in deeper]
    readout = BitInputLayer(net.readout)
    widths = [layer.width for layer in net.hidden]
    widest = max(max(layer.width, layer.linear.n_out, layer.n_in) for layer in net.layers[1:])
    widest = max(widest, first.width, first.linear.n_out)
    bits_out = [np.empty((n, shots, w), dtype=np.uint8) for w in widths] if keep_bits else None
    logits = np.empty((n, shots, net.n_classes), dtype=np.float64)
    ws = Workspace()
    plan = list(blocks(n, shots, widest, BLOCK_ELEMENTS))
    edges = np.cumsum([0] + widths)
    # One draw per neuron of every layer per block; layer k reads its own contiguous run.
    if words is None:
        block_draws = itertools.repeat(None)
    else:
        block_draws = words.prefetched([(edges[-1] * b.rows,) for b in plan])
    if progress:
        from tqdm import tqdm

        plan = tqdm(plan, desc="simulate", unit="block", leave=False)
    for b, draws in zip(plan, block_draws):
        shape = (b.hi - b.lo, b.s1 - b.s0)
        if keep_bits:
            outs = [o[b.lo : b.hi, b.s0 : b.s1].view(np.bool_) for o in bits_out]
        else:
            outs = [ws.get(f"bits{k}", shape + (w,), np.bool_) for k, w in enumerate(widths)]
        # First layer: thresholds per sample, the same for each of its shots.
        t = quantize(act.p_one(preactivations(first, xs[b.lo : b.hi])))[:, None, :]
        bits = _fire(draws, edges, 0, t, outs[0])
        prev: Layer = first
        for k, kernel in enumerate(kernels, start=1):
            t = kernel.thresholds(_bits_in(prev, bits, ws), ws)
            bits = _fire(draws, edges, k, t.reshape(outs[k].shape), outs[k])
            prev = kernel.layer
        readout.logits(_bits_in(prev, bits, ws), ws, logits[b.lo : b.hi, b.s0 : b.s1])
    return SimResult(bits_out, logits)


def _fire(draws, edges, k, thresholds, out):
    """Layer k's bits (bool): its word < its threshold, or threshold == ALWAYS when certain."""
    if draws is None:
        return np.equal(thresholds, ALWAYS, out=out)
    rows = out.size // (edges[k + 1] - edges[k])
    own = draws[edges[k] * rows : edges[k + 1] * rows].reshape(out.shape)  # contiguous per layer
    return np.less(own, thresholds, out=out)


def _bits_in(prev: Layer, bits: np.ndarray, ws: Workspace) -> np.ndarray:
    """The next layer's input: the previous layer's (OR-pooled) bits, float32 [rows, n]."""
    s = layer_output_bits(prev, bits)
    out = ws.get("bits_in", s.shape, np.float32)
    np.copyto(out, s)
    return out.reshape(-1, s.shape[-1])
