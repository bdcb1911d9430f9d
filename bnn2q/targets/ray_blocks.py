"""One evaluation split across Ray tasks by sample blocks, equal to the local run bit for bit.

A sample's outcomes depend only on the seed and its global index (``simulate``'s and
``execute``'s ``first_sample=``: position-addressed random words, per-sample seed sequences), so
block [lo, hi) evaluated anywhere gives rows lo:hi of the whole run; the driver stacks them in
order. Each task gets the loaded network (bnn2q's IR: arrays and settings, put in the object
store once — workers never open the model file nor import TensorFlow), its block of inputs and
the settings; it sends back bits and logits."""

from __future__ import annotations

import os

import numpy as np

from ..errors import InputError
from ..sim import SimResult


def default_block(ray, n_samples: int) -> int:
    """About four blocks per CPU of the cluster, so a slow node holds no one back for long."""
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    return max(1, -(-n_samples // (4 * cpus)))


def evaluate_in_blocks(ray, evaluate, net, xs: np.ndarray, block: int | None = None, progress: bool = False,
                       **settings) -> SimResult:
    """``evaluate(net, xs[lo:hi], first_sample=lo, **settings)`` as one Ray task per block.

    ``evaluate`` is ``bnn2q.simulate`` or ``bnn2q.targets.execute`` (run on the workers, imported
    there by name); ``settings`` must hold the seed, so every block draws from the same streams."""
    n = len(xs)
    block = default_block(ray, n) if block is None else block
    if int(block) != block or block < 1:
        raise InputError(f"block must be a positive number of samples, got {block!r}")
    block = int(block)
    net_ref = ray.put(net)
    task = ray.remote(num_cpus=1, max_retries=3)(_run_block)
    starts = range(0, n, block)
    refs = [task.remote(evaluate, net_ref, xs[lo:lo + block], lo, settings) for lo in starts]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n, desc="ray", unit="sample", leave=False)
    parts = {}
    try:
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                parts[ref] = ray.get(ref)
                if bar is not None:
                    bar.update(parts[ref].logits.shape[0])
    finally:
        if bar is not None:
            bar.close()
        for ref in refs:
            if ref not in parts:
                ray.cancel(ref)
    ordered = [parts[ref] for ref in refs]
    bits = None
    if all(p.bits is not None for p in ordered):
        bits = [np.concatenate([p.bits[k] for p in ordered]) for k in range(len(ordered[0].bits))]
    return SimResult(bits, np.concatenate([p.logits for p in ordered]))


def simulate_on_ray(address: str, net, x, block=None, progress=False, num_cpus=None, **settings) -> SimResult:
    """``bnn2q.simulate`` split across Ray tasks (``settings``: its keyword arguments)."""
    from .. import ray_runtime
    from ..sim import simulate
    from ..host.inputs import prepare_inputs

    xs = prepare_inputs(net, x)
    with ray_runtime.session(address, num_cpus) as ray:
        return evaluate_in_blocks(ray, simulate, net, xs, block, progress, **settings)


def execute_on_ray(execute, address: str, net, xs, backend, block, progress, checkpoint, **settings) -> SimResult:
    """``execute`` (passed in by ``run``) split across Ray tasks: the backends that run sample by
    sample only — a Qiskit backend's one job per layer for all samples draws from streams a split
    would change."""
    from .. import ray_runtime
    from .registry import TARGET_OF

    if not (isinstance(backend, str) and backend in TARGET_OF):
        raise InputError(f"ray= splits the backends that run sample by sample ({', '.join(TARGET_OF)}); "
                         f"{backend} runs one job per layer for all samples: drop ray= (or use --checkpoint)")
    if checkpoint is not None:
        raise InputError(f"checkpoint= keeps the jobs of Qiskit backends; {backend} runs sample by sample")
    if settings.get("seed") is None:  # one fresh seed for every block, not one per worker
        settings["seed"] = int(np.random.SeedSequence().entropy)
    with ray_runtime.session(address) as ray:
        return evaluate_in_blocks(ray, execute, net, xs, block, progress, backend=backend, **settings)


def _run_block(evaluate, net, x, first_sample: int, settings: dict) -> SimResult:
    """On a worker: one CPU, so one simulator thread (``BNN2Q_THREADS``)."""
    import ray

    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1)
    os.environ["BNN2Q_THREADS"] = str(max(1, int(cpus)))
    return evaluate(net, x, first_sample=first_sample, **settings)
