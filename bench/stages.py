"""Where the simulator's time goes, stage by stage (process CPU time from cProfile):

    python bench/stages.py [--samples 10000] [--results bench/results]

784-256-256-10 (random ±1 network, bench/networks.py), packed path, N distinct samples × 1 and
× 15 shots, τ = 0 and τ = 0.5, with and without readout noise. Stages: the first layer (GEMM
and its signs or law; at τ > 0 without noise its brackets and the few outcomes settled in
float64), random words, firing and packing, XNOR-popcount sums, the rest
(tables, logits, Python). One thread (BLAS and the kernels alike, unless set otherwise): process
CPU time counts every thread, and cProfile would charge a second thread's work to whatever the
main thread waits in. Writes bench/results/stages.csv."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("BNN2Q_THREADS", "1")

import numpy as np  # noqa: E402

#: stage → function names (cProfile's) whose own time it sums.
STAGES = {
    "first layer: GEMM + signs/affine": ("signs", "decide_given_rows", "exact_signs", "dot_abs_rows", "_Dense",
                                         "_Affine", "_encode", "bracket", "abs_sums", "conv_pool_rows", "pool_rows"),
    "first layer τ > 0: brackets + fire + pack": ("fire_brackets", "undecided_pairs", "settled", "_fire_bracketed"),
    "first layer τ > 0: settle in float64": ("settle", "exact", "dot_rows", "exact_values", "unique"),
    "first layer: law (expit, sin, thresholds)": ("sigmoid", "sin", "quantize", "squash", "neuron_p_one", "p_one",
                                                  "_at_step", "angle_law", "half_angle"),
    "random words": ("fill_rows", "fill_numpy", "block", "_words"),
    "fire + pack": ("fire_sums", "fire_sign_steps", "fire_given", "fire_signs", "measure_state", "fire_given_collapse",
                    "_pack_rows"),
    "XNOR-popcount sums": ("sums_kc1", "sums_kc2", "sums_kc4"),
}


def profile(fn, repeat: int) -> dict:
    fn()
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for _ in range(repeat):
        fn()
    prof.disable()
    stats = pstats.Stats(prof).stats
    own = {}
    for (_, _, name), (_, _, tottime, _, _) in stats.items():
        own[name] = own.get(name, 0.0) + tottime
    total = sum(own.values())
    out = {stage: sum(own.get(n, 0.0) for n in names) / repeat for stage, names in STAGES.items()}
    out["other"] = total / repeat - sum(out.values())
    out["total"] = total / repeat
    return out


def count_settled() -> list:
    """A list that gathers how many (element, shot) pairs each call of ``brackets.settle`` takes."""
    from bnn2q.sim import brackets, measure

    settled, real = [], brackets.settle

    def counted(values, law, q, e):
        settled.append(len(q))
        return real(values, law, q, e)

    brackets.settle = measure.settle = counted
    return settled


def main(argv=None) -> None:
    from bench.networks import FASHION, random_inputs, random_network
    from bench.paths import simulate
    from bench.report import emit
    from bnn2q import activations
    from bnn2q.noise import readout_flips

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    settled = count_settled()
    net = random_network(FASHION)
    x = random_inputs(args.samples, FASHION[0]).astype(np.float32)
    rows = []
    for shots in (1, 15):
        for tau in (0.0, 0.5):
            for noisy in (False, True):
                kw = dict(quantumness=tau, shots=shots, seed=0, keep_bits=False)
                if noisy:
                    kw["noise"] = readout_flips(net, activations.get("rotation", tau), 0.02, 0.05)
                settled.clear()
                cost = profile(lambda: simulate("packed", net, x, **kw), args.repeat)
                draws = (args.repeat + 1) * args.samples * shots * FASHION[1]
                rows.append({"network": "784-256-256-10", "samples": args.samples, "shots": shots, "tau": tau,
                             "noise": noisy, **{f"{k} (cpu ms)": v * 1e3 for k, v in cost.items()},
                             "first-layer draws settled in float64": sum(settled) / draws})
    emit("Simulator stages, process CPU time per call (packed path)", rows, args.results / "stages.csv")


if __name__ == "__main__":
    main()
