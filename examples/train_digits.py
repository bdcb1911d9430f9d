"""Train a small Larq BNN (64-64-32-10) on scikit-learn's digits and save it.

    python examples/train_digits.py [OUT.h5] [--epochs N]
"""

from __future__ import annotations

import argparse

import bnn2q  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow loads)
from bnn2q.datasets import load_dataset
from bnn2q.train.models import dense_bnn, train_classical

DEFAULT_OUT = "build/digits_bnn.h5"


def train(out: str = DEFAULT_OUT, epochs: int = 40, seed: int = 0, verbose: int = 0):
    """Train the digits BNN and save it to ``out``; returns the Keras model."""
    from pathlib import Path

    data = load_dataset("digits")
    model = dense_bnn(data.image_shape, [64, 32], data.n_classes, seed=seed)
    train_classical(model, data.x_train, data.y_train, epochs=epochs, verbose=verbose)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    return model


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=DEFAULT_OUT)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    train(args.out, args.epochs, verbose=2)
    print(f"saved {args.out}")
