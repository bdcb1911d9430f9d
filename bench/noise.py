"""The noisy built-in simulator against qiskit-aer with a device's noise model, per shot.

    python bench/noise.py                       # digits-sized network on FakeTorino, three activations
    python bench/noise.py --quick               # fewer Aer shots
    python bench/noise.py --device fake_sherbrooke --results /tmp/r

Same program on both sides: the network compiled for the device (its ISA circuits, the qubits
the ``ibm`` target places neurons on). Aer runs it as ``bnn2q run --backend ibm:DEVICE`` does
— one job per layer, the device's ``NoiseModel.from_backend`` restricted to the circuit's
qubits — for ``aer_samples × aer_shots``; the simulator samples ``simulate(noise=device)`` for
``sim_samples × sim_shots`` (best of 3). One-off costs are listed apart: building Aer's noise
model for the device, and compiling + folding it into the neurons (cached per network shape).
``max_abs_z`` compares each bit's frequency over all of Aer's shots with the simulator's
(same samples), in binomial standard errors of the difference."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import bnn2q  # noqa: E402
from bench.measure import best_of  # noqa: E402
from bench.networks import DIGITS, name, random_inputs, random_network  # noqa: E402
from bench.report import emit  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
REGIMES = [
    ("rotation tau=0.5", dict(activation="rotation", quantumness=0.5)),
    ("ancilla-reset g=1.0", dict(activation="ancilla-reset", quantumness=0.5, g=1.0)),
    ("ancilla g=1.0", dict(activation="ancilla", quantumness=0.5, g=1.0)),
]


def compare(device: str, sizes, aer_samples: int, aer_shots: int, sim_samples: int, sim_shots: int) -> list[dict]:
    from bnn2q.targets.ibm.noise import load
    from bnn2q.targets import execute

    net = random_network(sizes)
    x_aer = random_inputs(aer_samples, sizes[0])
    x_sim = random_inputs(sim_samples, sizes[0])
    noise = load(device)
    start = time.perf_counter()
    noise.noise_model  # noqa: B018  (built once; both sides use it)
    model_s = time.perf_counter() - start
    rows = []
    for label, knobs in REGIMES:
        start = time.perf_counter()
        act = bnn2q.activations.get(knobs["activation"], knobs.get("quantumness", 0.0), knobs.get("g", np.pi / 2))
        noise.neuron_noise(net, act)
        fold_s = time.perf_counter() - start
        start = time.perf_counter()
        aer = execute(net, x_aer, backend=noise, shots=aer_shots, seed=1, **knobs)
        aer_s = time.perf_counter() - start
        best = best_of({"sim": lambda kw=knobs: bnn2q.simulate(net, x_sim, shots=sim_shots, seed=0, noise=noise,
                                                                  **kw)}, 3)
        check = bnn2q.simulate(net, x_aer, shots=20_000, seed=2, noise=noise, **knobs)
        aer_us = aer_s / (aer_samples * aer_shots) * 1e6
        sim_us = best["sim"] / (sim_samples * sim_shots) * 1e6
        rows.append({
            "device": device, "network": name(sizes), "regime": label, "fold_s": fold_s,
            "aer_shots": aer_samples * aer_shots, "aer_s": aer_s, "aer_us_per_shot": aer_us,
            "sim_shots": sim_samples * sim_shots, "sim_s": best["sim"], "sim_us_per_shot": sim_us,
            "speedup": aer_us / sim_us, "max_abs_z": _max_z(aer, check, aer_shots), "noise_model_s": model_s,
        })
    return rows


def _max_z(aer, sim, shots: int) -> float:
    """max over (sample, bit) of |f_aer − f_sim| / se of the difference."""
    f = np.concatenate([b.mean(axis=1) for b in aer.bits], axis=1)
    g = np.concatenate([b.mean(axis=1) for b in sim.bits], axis=1)
    n, m = shots, sim.bits[0].shape[1]
    p = (f * n + g * m) / (n + m)
    se = np.sqrt(np.maximum(p * (1 - p), 1e-12) * (1 / n + 1 / m))
    return float(np.max(np.abs(f - g) / se))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="fake_torino", help="an IBM fake backend (default fake_torino)")
    parser.add_argument("--quick", action="store_true", help="fewer Aer shots")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"CSV folder (default {RESULTS})")
    args = parser.parse_args(argv)
    aer_samples, aer_shots = (5, 100) if args.quick else (20, 100)
    from bench.simulator import machine

    print(f"# bnn2q noise benchmark\n\nmachine: {machine()}")
    rows = compare(args.device, DIGITS, aer_samples, aer_shots, 360, 100)
    emit(f"noisy simulator vs qiskit-aer with {args.device}'s noise model, per shot", rows,
         args.results / f"noise-{args.device}.csv")


if __name__ == "__main__":
    main()
