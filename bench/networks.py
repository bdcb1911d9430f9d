"""Random networks of a given shape for timing (the statistics do not matter, the shapes do).

±1 kernels with batch-norm folded into u = a z + c, a = ±1/√n_in and c ~ N(0, ½), or real
kernels N(0, 1/n_in) (the paper's networks): the pre-activations are of order one, so at
τ = 0.5 the neurons fire with probabilities spread over (0, 1)."""

from __future__ import annotations

import numpy as np

from bnn2q.ir import Dense, Network
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize

DIGITS = (64, 64, 32, 10)
FASHION = (784, 256, 256, 10)
WIDE = (784, 1024, 1024, 1024, 10)


def random_network(sizes, seed: int = 0, real: bool = False) -> Network:
    rng = np.random.default_rng(seed)
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if real:  # float32 weights, as trained models store them
            w = rng.normal(0.0, 1 / np.sqrt(n_in), size=(n_out, n_in)).astype(np.float32)
            layers.append(Layer(Dense(f"dense_{k}", w)))
            continue
        weight = rng.choice(np.array([-1, 1], dtype=np.int8), size=(n_out, n_in))
        scale = rng.choice([-1.0, 1.0], size=n_out) / np.sqrt(n_in)
        offset = rng.normal(0.0, 0.5, size=n_out)
        layers.append(Layer(Dense(f"dense_{k}", weight), scale, offset))
    return canonicalize(chain((sizes[0],), layers, source="random" + ("-real" if real else "")))


def dense_weights(net) -> list:
    """The dense kernels of a network built here, in order."""
    return [s.op.weight for s in net.steps if isinstance(s.op, Dense)]


def random_inputs(n: int, n_inputs: int, seed: int = 1) -> np.ndarray:
    """Pixels uniform in [−1, 1], like the datasets' scaling."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, n_inputs))


def name(sizes) -> str:
    return "-".join(str(s) for s in sizes)
