"""BuildLevelChains: exact chains over the reachable levels, pruning within a tolerance, fixed
point for real weights, and the stated bound on each outcome probability."""

import math

import numpy as np
import pytest

from bnn2q import activations
from bnn2q.errors import InputError, TargetError
from bnn2q.passes.build_level_chains import BuildLevelChains, level_chain, merge_runs
from bnn2q.ir.plan import LinearAngle


def _p(theta, f):
    return (1 - f) / 2 + f * np.sin(np.asarray(theta) / 2) ** 2


def _rule(weights, offset=0.3, strict=False):
    return LinearAngle(tuple(enumerate(weights)), offset, strict)


def _u_of(chain, y):
    return chain.unit * sum(k * y[b] for b, k in chain.terms) + chain.offset


def _realised(chain, z):
    theta = chain.base
    for level, delta in chain.steps:
        if z >= level:
            theta += delta
    return theta


def _all_spins(n):
    return [np.array([1 if (i >> b) & 1 else -1 for b in range(n)]) for i in range(2 ** n)]


@pytest.mark.parametrize("eps", [0.0, 0.01, 0.1, 0.5])
def test_pm1_chain_within_tolerance_and_the_bound_holds(eps):
    act = activations.get("rotation", 2.0)
    rule = _rule([1.5] * 8 + [-1.5] * 8)
    chain = level_chain(rule, act, eps, 32, fidelity=0.8)
    assert chain.levels == tuple(range(-16, 17, 2)) and chain.rounding == 0.0
    realised, exact = np.array(chain.realised()), np.array(chain.exact)
    assert np.all(np.abs(realised - exact) <= eps + 1e-12)
    assert np.max(np.abs(_p(realised, 0.8) - _p(exact, 0.8))) <= chain.error + 1e-12 <= 0.8 * eps / 2 + 1e-12
    if eps == 0.0:
        assert chain.error == 0.0 and len(chain.steps) == 16
    if eps >= 0.1:
        assert len(chain.steps) < 16


def test_integer_multiples_enumerate_their_subset_sums():
    act = activations.get("rotation", 0.7)
    chain = level_chain(_rule([0.5, -1.0, 1.5]), act, 0.0, 32)
    assert chain.unit == 0.5 and [k for _, k in chain.terms] == [1, -2, 3] and chain.rounding == 0
    zs = sorted({sum(k * y[b] for b, k in chain.terms) for y in _all_spins(3)})
    assert list(chain.levels) == zs
    for y in _all_spins(3):
        z = sum(k * y[b] for b, k in chain.terms)
        assert _realised(chain, z) == pytest.approx(float(act.angle(_u_of(chain, y))), abs=1e-12)


def test_dyadic_real_weights_are_exact_in_fixed_point():
    act = activations.get("rotation", 0.0)
    w = [0.375, -0.0625, 0.5, 0.25, -0.875]
    chain = level_chain(_rule(w, offset=-0.1), act, 0.0, 32)
    assert chain.rounding == 0.0 and chain.error == 0.0 and len(chain.steps) <= 1
    for y in _all_spins(5):
        u = float(np.dot(w, y)) - 0.1
        assert _realised(chain, sum(k * y[b] for b, k in chain.terms)) == (math.pi if u >= 0 else 0.0)


def test_many_real_weights_at_tau_zero_are_one_threshold():
    rng = np.random.default_rng(0)
    w = rng.normal(size=40)
    chain = level_chain(_rule(w, offset=0.2), activations.get("rotation", 0.0), 0.0, 32)
    assert chain.levels == () and len(chain.steps) == 1 and chain.rounding < 1e-6
    for _ in range(200):
        y = rng.choice([-1, 1], size=40)
        u = float(np.dot(w, y)) + 0.2
        if abs(u) > chain.rounding:
            assert _realised(chain, sum(k * y[b] for b, k in chain.terms)) == (math.pi if u >= 0 else 0.0)


def test_real_weights_at_positive_tau_need_a_tolerance_and_respect_it():
    rng = np.random.default_rng(1)
    w = rng.normal(size=30)
    act = activations.get("rotation", 0.5)
    with pytest.raises(TargetError, match=r"has real weights over 30 bits: at τ > 0 .* give an angle tolerance"):
        level_chain(_rule(w), act, 0.0, 32, where=("dense", 4))
    eps = 0.02
    chain = level_chain(_rule(w), act, eps, 32)
    assert len(chain.steps) <= math.ceil(math.pi / (2 * eps)) + 1
    for _ in range(500):
        y = rng.choice([-1, 1], size=30)
        z = sum(k * y[b] for b, k in chain.terms)
        theta = float(act.angle(float(np.dot(w, y)) + 0.3))
        assert abs(_realised(chain, z) - theta) <= eps + 1e-9
    assert chain.error <= eps / 2 + math.pi / (4 * 0.5) * chain.rounding / 2 + 1e-12


def test_coarse_fixed_point_reports_its_rounding():
    w = [0.3, -0.7, 0.11]
    act = activations.get("rotation", 0.4)
    chain = level_chain(_rule(w, offset=0.05), act, 0.0, 8)  # 8-bit integers: visible rounding
    assert chain.rounding > 0
    worst = max(abs(float(np.dot(w, y)) + 0.05 - _u_of(chain, y)) for y in _all_spins(3))
    assert worst <= chain.rounding + 1e-12
    bound = max(abs(_p(_realised(chain, sum(k * y[b] for b, k in chain.terms)), 1.0)
                    - _p(act.angle(float(np.dot(w, y)) + 0.05), 1.0)) for y in _all_spins(3))
    assert bound <= chain.error + 1e-12


def test_merge_runs_only_merges_equal_angles_at_zero_tolerance():
    values = merge_runs(np.array([0.0, 0.0, 1.0, 1.0, 2.0]), 0.0)
    np.testing.assert_array_equal(values, [0.0, 0.0, 1.0, 1.0, 2.0])


def test_bad_options_are_rejected():
    with pytest.raises(InputError, match=r"tolerance must be a finite angle >= 0 in radians, got -1"):
        BuildLevelChains(-1.0)
    with pytest.raises(InputError, match=r"int_bits must be an integer >= 8, got 4"):
        BuildLevelChains(0.0, 4)


def test_a_few_real_weights_are_enumerated_exactly():
    rng = np.random.default_rng(3)
    w = rng.normal(size=6)
    act = activations.get("rotation", 0.5)
    chain = level_chain(_rule(w, offset=0.1), act, 0.0, 32)
    assert len(chain.levels) == 64 and chain.error <= math.pi / (4 * 0.5) * chain.rounding / 2 + 1e-15
    for y in _all_spins(6):
        z = sum(k * y[b] for b, k in chain.terms)
        theta = float(act.angle(float(np.dot(w, y)) + 0.1))
        assert abs(_realised(chain, z) - theta) <= math.pi / (4 * 0.5) * chain.rounding + 1e-12
