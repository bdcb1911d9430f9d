"""PruneLevels: fewer conditional rotations, with the stated bound on each outcome probability."""

import math

import numpy as np
import pytest

from bnn2q.errors import InputError
from bnn2q.plan import LevelChain
from bnn2q.passes.prune_levels import prune, PruneLevels


def sigmoid_chain(n=16, tau=2.0):
    levels = tuple(range(-n, n + 1, 2))
    exact = tuple(math.pi / (1 + math.exp(-level / tau)) for level in levels)
    steps = tuple((levels[i], exact[i] - exact[i - 1]) for i in range(1, len(levels)))
    return LevelChain(tuple((i, 1) for i in range(n)), levels, exact, exact[0], steps)


@pytest.mark.parametrize("eps", [0.0, 0.01, 0.1, 0.5])
def test_pruned_angles_within_tolerance_and_bound_holds(eps):
    chain = sigmoid_chain()
    pruned = prune(chain, eps, fidelity=0.8)
    realised = np.array(pruned.realised())
    exact = np.array(chain.exact)
    assert np.all(np.abs(realised - exact) <= eps + 1e-12)
    p = lambda t: 0.1 + 0.8 * np.sin(t / 2) ** 2  # noqa: E731  (1 − f)/2 + f sin²(θ/2), f = 0.8
    assert np.max(np.abs(p(realised) - p(exact))) <= pruned.error + 1e-12 <= 0.8 * eps / 2 + 1e-12
    assert len(pruned.steps) <= len(chain.steps)
    if eps == 0.0:
        assert pruned.error == 0.0 and len(pruned.steps) == len(chain.steps)
    if eps >= 0.1:
        assert len(pruned.steps) < len(chain.steps)


def test_negative_tolerance_is_rejected():
    with pytest.raises(InputError, match=r"tolerance must be a finite angle >= 0 in radians, got -1"):
        PruneLevels(-1.0)
