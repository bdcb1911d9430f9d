"""Networks for the target tests: a hand-built 2-3-2 and a small trained 64-6-4-10 BNN."""

from __future__ import annotations

import numpy as np
import pytest

from bnn2q.ir import Dense, Network
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize


def tiny_network() -> Network:
    """2 real inputs → 3 → 2 hidden neurons → 2 logits; one negative scale (a flipped threshold)."""
    w1 = np.array([[1, -1], [1, 1], [-1, 1]])
    w2 = np.array([[1, -1, 1], [-1, 1, 1]])
    w3 = np.array([[1, 1], [1, -1]])
    return canonicalize(chain((2,), [
        Layer(Dense("d1", w1), [1.0, 1.0, 1.0], [0.1, -0.2, 0.3]),
        Layer(Dense("d2", w2), [0.5, -1.0], [0.0, 0.2]),
        Layer(Dense("out", w3)),
    ], source="tiny"))


TINY_INPUT = np.array([0.5, -0.25])


@pytest.fixture(scope="session")
def tiny():
    return tiny_network()


@pytest.fixture(scope="session")
def small_model(digits):
    """A trained 64-6-4-10 Larq BNN: small enough for Braket's branch-per-history simulation."""
    from tests.conftest import train_dense

    return train_dense(digits, hidden=(6, 4), epochs=6)


@pytest.fixture(scope="session")
def small_net(small_model):
    import bnn2q

    return bnn2q.load(small_model)
