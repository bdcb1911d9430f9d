"""The README's main command: a digits BNN as a quantum network, accuracy vs quantumness.

Trains the example model on first use (build/digits_bnn.h5), checks the classical limit, then
prints test accuracy for the rotation activation at several τ, and for the paper's ancilla
network (neuron qubits carry their state) and its memoryless reduction at several g, with the
built-in simulator.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import bnn2q  # noqa: E402
from bnn2q.cli import quiet_native_stderr  # noqa: E402
from bnn2q.datasets import load_dataset  # noqa: E402
from train_digits import DEFAULT_OUT, train  # noqa: E402

TAUS = (0.0, 0.25, 0.5, 1.0, 2.0)
GS = (math.pi / 2, 1.2, 0.9, 0.6, 0.3)
SHOTS = 100


def main() -> None:
    quiet_native_stderr()  # TensorFlow's C++ start-up chatter is not part of the demo
    start = time.perf_counter()
    path = Path(DEFAULT_OUT)
    if path.exists():
        print(f"loading {path}")
        model = None
    else:
        print(f"training a 64-64-32-10 Larq BNN on digits -> {path} ...")
        model = train(str(path))
    data = load_dataset("digits")
    net = bnn2q.load(path)
    if model is None:
        from bnn2q.train.keras_io import load_keras_model  # checked as data first, like bnn2q.load

        model = load_keras_model(path)
    keras_pred = model.predict(data.x_test, verbose=0).argmax(axis=1)
    classical = bnn2q.simulate(net, data.x_test, shots=1)
    agree = np.mean(classical.predictions == keras_pred)
    print(f"classical limit: bnn2q agrees with model.predict on {agree:.1%} of {len(keras_pred)} test samples")

    print(f"\ntest accuracy on {len(data.y_test)} digits, {SHOTS} shots per sample (mean of shot-averaged logits)")
    print(f"{'activation':<14} {'knob':>8} {'accuracy':>9} {'shot acc.':>10}")
    for tau in TAUS:
        r = bnn2q.simulate(net, data.x_test, quantumness=tau, shots=SHOTS, seed=0)
        print(f"{'rotation':<14} {f'tau={tau:g}':>8} {r.accuracy(data.y_test):>9.3f} "
              f"{r.shot_accuracy(data.y_test):>10.3f}")
    for activation in ("ancilla", "ancilla-reset"):
        for g in GS:
            r = bnn2q.simulate(net, data.x_test, activation=activation, g=g, shots=SHOTS, seed=0)
            print(f"{activation:<14} {f'g={g:.3f}':>8} {r.accuracy(data.y_test):>9.3f} "
                  f"{r.shot_accuracy(data.y_test):>10.3f}")
    print(f"\ndone in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
