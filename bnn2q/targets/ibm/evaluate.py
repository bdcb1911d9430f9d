"""A whole evaluation on a device: every sample × shot of a layer in one job, layer by layer.

The host (``layerwise.sample``, with ``host.forward.HostPass`` over all samples × shots at once)
computes layer k's angle vectors from layer k − 1's bits; identical vectors merge into one
binding with their shot count; bindings sharing a power of two of their count form one PUB
(``_run_chunk``); all PUBs of the layer go to the runner as one job (a runner with a per-job limit on executions — IBM's
10 million — gets as many jobs as the limit needs). Each finished job's bits can be kept in a
``Checkpoint``, so a run that fails part-way resumes without recomputing anything."""

from __future__ import annotations

import numpy as np

from ...sim import SimResult
from .. import layerwise
from ..pace import pace
from .checkpoint import Checkpoint, digest


def evaluate(prog, xs, shots: int, runner, seed=0, progress: bool | None = False, checkpoint=None,
             advice: str = ""):
    """(SimResult [n, shots, ...], report) of ``prog`` on every sample of ``xs`` (None: its
    baked-in sample) through ``runner`` (``jobs.runner``), with one progress bar over every
    layer's executions (``progress``: see ``targets.pace.pace``; ``advice`` ends its warning).

    report: {"backend", "jobs" (per layer), "executions" (per layer), "bindings" (per layer)}."""
    net = prog.network
    n = 1 if xs is None else xs.shape[0]
    # One job holds every sample × shot of a layer, and the sampler one experiment per binding.
    layerwise.check_memory(net, n, shots, n, runner.label, layerwise.binding_bytes(net, prog.activation, n, shots))
    circuits = runner.circuits(prog)
    layer_seeds = np.random.SeedSequence(seed).spawn(len(net.hidden))
    store = None
    if checkpoint is not None:
        store = Checkpoint(checkpoint, digest(
            net, prog.sample if xs is None else xs, shots, seed, prog.activation, prog.strategy,
            runner.label, getattr(runner.device, "name", None), [c.num_qubits for c in circuits]))
        circuits = store.circuits(circuits)
    report = {"backend": runner.label, "jobs": [], "executions": [], "bindings": []}
    layers = len(net.hidden)

    def run_layer(k, rows, counts):
        bar.describe(f"{runner.label}: layer {k + 1}/{layers}")
        jobs_before = runner.jobs
        blocks = []
        for j, chunk in enumerate(_chunks(counts, runner.max_executions)):
            key = f"layer{k}-job{j}"
            bits = store.get(key) if store is not None else None
            if bits is None or bits.shape[0] != counts[chunk].sum():
                seed_kj = int(layer_seeds[k].spawn(j + 1)[j].generate_state(1, np.uint64)[0])
                bits = _run_chunk(runner, circuits[k], rows[chunk], counts[chunk], seed_kj, bar)
                if store is not None:
                    store.put(key, bits)
            else:
                bar.advance(bits.shape[0])
            blocks += np.split(bits, np.cumsum(counts[chunk])[:-1])
        report["jobs"].append(runner.jobs - jobs_before)
        report["executions"].append(int(counts.sum()))
        report["bindings"].append(int(len(counts)))
        return blocks

    with pace(layers * n * shots, "execution", f"{runner.label}: {n} samples × {shots} shots × {layers} layers",
              progress, advice) as bar:
        bits, host = layerwise.sample(prog, xs, shots, run_layer,
                                      parametric=not getattr(runner, "logical", False))
    logits = host.logits()
    result = SimResult([b.reshape(n, shots, -1) for b in bits], logits.reshape(n, shots, -1))
    return result, report


def _run_chunk(runner, circuit, rows, counts, seed, bar) -> np.ndarray:
    """One job; bits [Σ counts, n_bits] in row order.

    A row wanting c shots is split along the binary digits of c: the PUB of shots 2^b holds
    every row whose count has bit b set. A job then holds at most log₂(max count) + 1 PUBs,
    however varied the counts (a row's shots are exchangeable, so the split is exact)."""
    powers = [1 << b for b in range(int(counts.max()).bit_length())] if len(counts) else []
    groups = [(np.flatnonzero(counts & p), p) for p in powers]
    groups = [(idx, p) for idx, p in groups if idx.size]
    results = runner.run(circuit, [(rows[idx], p) for idx, p in groups], seed, bar.advance)
    pieces = [[] for _ in range(len(rows))]
    for (idx, _), res in zip(groups, results):
        for pos, i in enumerate(idx):
            pieces[i].append(res[pos])
    if not pieces:
        return np.zeros((0, circuit.num_clbits), dtype=np.uint8)
    return np.concatenate([block for row in pieces for block in row], axis=0)


def _chunks(counts: np.ndarray, limit) -> list:
    """Index ranges of rows whose executions (Σ counts) stay within ``limit`` per job."""
    if limit is None or counts.sum() <= limit:
        return [slice(0, len(counts))]
    out, start, total = [], 0, 0
    for i, c in enumerate(counts):
        if total + c > limit and i > start:
            out.append(slice(start, i))
            start, total = i, 0
        total += int(c)
    out.append(slice(start, len(counts)))
    return out

