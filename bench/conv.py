"""(6) Convolutional BNNs against TensorFlow: the simulator at τ = 0.5 (both paths) and TF's
float32 forward pass of the same Keras model over the same samples × shots rows.

TF runs ``model(rows, training=False)`` in a ``tf.function``, BATCH rows at a time (every shot
is one row: the forward pass a user would run to sample the classical network's equivalent);
the simulator runs its encoder once per sample and samples every shot. Memory: each job alone
in a fresh interpreter (``bench.jobs``); the simulator's job reads the network from a pickle of
bnn2q's IR, so it does not import TensorFlow."""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path

import numpy as np

from bench.conv_nets import NETS
from bench.measure import best_times, peak_memory
from bench.paths import simulate

SAMPLES, SHOTS = 10, 50
BATCH = 250
QUANTUMNESS = 0.5


def tf_forward(model, x: np.ndarray, shots: int, batch: int = BATCH):
    """A closure running TF's forward pass over every sample repeated ``shots`` times."""
    import tensorflow as tf

    rows = np.repeat(np.asarray(x, dtype=np.float32), shots, axis=0)
    forward = tf.function(lambda t: model(t, training=False))

    def run():
        for lo in range(0, len(rows), batch):
            forward(tf.constant(rows[lo: lo + batch])).numpy()

    return run


def _inputs(shape, samples: int) -> np.ndarray:
    return np.random.default_rng(0).uniform(-1.0, 1.0, size=(samples,) + tuple(shape))


def conv_vs_tensorflow(repeat: int, quick: bool = False) -> list[dict]:
    import bnn2q

    rows = []
    for label, make in NETS.items():
        model, shape = make()
        net = bnn2q.load(model)
        x = _inputs(shape, SAMPLES)
        fns = {"tf": tf_forward(model, x, SHOTS)}
        for path in ("packed", "numpy"):
            fns[path] = lambda p=path: simulate(p, net, x, quantumness=QUANTUMNESS, shots=SHOTS, seed=0)
        for fn in fns.values():
            fn()
        best = best_times(fns, max(2, repeat // 3) if not quick else 1)
        (tw, tc), (pw, pc), (nw, nc) = best["tf"], best["packed"], best["numpy"]
        rows.append({
            "network": label, "samples": SAMPLES, "shots": SHOTS, "neurons": net.n_neurons,
            "tf_ms": tw * 1e3, "packed_ms": pw * 1e3, "numpy_ms": nw * 1e3,
            "packed_to_tf": pw / tw, "numpy_to_tf": nw / tw,
            "tf_cpu_ms": tc * 1e3, "packed_to_tf_cpu": pc / tc, "numpy_to_tf_cpu": nc / tc,
        })
    return rows


def conv_memory(quick: bool = False) -> list[dict]:
    import bnn2q

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, make in NETS.items():
            model, shape = make()
            ir = Path(tmp) / "net.pkl"
            ir.write_bytes(pickle.dumps(bnn2q.load(model)))
            row = {"network": label, "samples": SAMPLES, "shots": SHOTS}
            tf = peak_memory("conv_tf", net=label, samples=SAMPLES, shots=SHOTS)
            row["tf_peak_mib"], row["tf_call_mib"] = tf["peak_rss_mib"], tf["call_mib"]
            for path in ("packed", "numpy"):
                sim = peak_memory("conv_simulate", ir=str(ir), shape=list(shape), samples=SAMPLES, shots=SHOTS,
                                  path=path)
                row[f"{path}_peak_mib"], row[f"{path}_call_mib"] = sim["peak_rss_mib"], sim["call_mib"]
            row["packed_peak_to_tf"] = row["packed_peak_mib"] / row["tf_peak_mib"]
            row["packed_call_to_tf_call"] = row["packed_call_mib"] / row["tf_call_mib"]
            rows.append(row)
    return rows


#: (samples, shots) mixes of the 32×32×3 net against TensorFlow's forward time.
MIXES = [(20, 10), (100, 1), (10, 50)]


def conv_mixes(repeat: int, quick: bool = False) -> list[dict]:
    """The 32×32×3 conv net at every samples × shots mix, τ = 0 and 0.5 (packed path), against
    TensorFlow's forward pass over the same samples × shots rows; interleaved rounds."""
    import bnn2q

    model, shape = NETS["cifar-like 32x32x3"]()
    net = bnn2q.load(model)
    rows = []
    for samples, shots in MIXES:
        x = _inputs(shape, samples)
        fns = {"tf": tf_forward(model, x, shots)}
        for tau in (0.0, 0.5):
            fns[tau] = lambda tau=tau: simulate("packed", net, x, quantumness=tau, shots=shots, seed=0)
        for fn in fns.values():
            fn()
        best = best_times(fns, 1 if quick else max(3, repeat))
        tw, tc = best["tf"]
        for tau in (0.0, 0.5):
            pw, pc = best[tau]
            rows.append({"network": "cifar-like 32x32x3", "samples": samples, "shots": shots, "tau": tau,
                         "tf_ms": tw * 1e3, "packed_ms": pw * 1e3, "packed_to_tf": pw / tw,
                         "tf_cpu_ms": tc * 1e3, "packed_cpu_ms": pc * 1e3, "packed_to_tf_cpu": pc / tc})
    return rows
