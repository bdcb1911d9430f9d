"""Random ±1 networks of a given shape for timing (the statistics do not matter, the shapes do).

Batch-norm is folded into u = a z + c with a = ±1/√n_in and c ~ N(0, ½): the pre-activations
are of order one, so at τ = 0.5 the neurons fire with probabilities spread over (0, 1)."""

from __future__ import annotations

import numpy as np

from bnn2q.ir import Dense, Layer, Network

DIGITS = (64, 64, 32, 10)
FASHION = (784, 256, 256, 10)


def random_network(sizes, seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        weight = rng.choice(np.array([-1, 1], dtype=np.int8), size=(n_out, n_in))
        scale = rng.choice([-1.0, 1.0], size=n_out) / np.sqrt(n_in)
        offset = rng.normal(0.0, 0.5, size=n_out)
        hidden = k < len(sizes) - 2
        layers.append(Layer(f"dense_{k}", Dense(f"dense_{k}", weight), scale, offset, hidden=hidden))
    return Network((sizes[0],), tuple(layers), real_input=True, source="random")


def random_inputs(n: int, n_inputs: int, seed: int = 1) -> np.ndarray:
    """Pixels uniform in [−1, 1], like the datasets' scaling."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, n_inputs))


def name(sizes) -> str:
    return "-".join(str(s) for s in sizes)
