"""The one definition of the neuron math (SPEC §2) and its option checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bnn2q import activations
from bnn2q.errors import InputError

U = np.array([-3.0, -0.5, -1e-9, 0.0, 1e-9, 0.5, 3.0])


def test_rotation_classical_is_a_step_with_sign_zero_positive():
    act = activations.get("rotation", 0.0)
    np.testing.assert_array_equal(act.p_one(U), [0, 0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(act.angle(U), np.pi * np.array([0, 0, 0, 1, 1, 1, 1]))
    assert act.is_classical


@pytest.mark.parametrize("tau", [0.1, 0.5, 2.0])
def test_rotation_probability_is_sin_squared_of_half_angle(tau):
    act = activations.get("rotation", tau)
    theta = math.pi / (1 + np.exp(-U / tau))
    np.testing.assert_allclose(act.angle(U), theta, rtol=1e-12)
    np.testing.assert_allclose(act.p_one(U), np.sin(theta / 2) ** 2, rtol=1e-12)
    assert act.p_one(np.array([0.0]))[0] == pytest.approx(0.5)


@pytest.mark.parametrize("g", [0.0, 0.3, 1.0, math.pi / 2])
def test_ancilla_reset_copies_with_probability_half_one_plus_sin_g(g):
    act = activations.get("ancilla-reset", 0.0, g)
    keep = (1 + math.sin(g)) / 2
    np.testing.assert_allclose(act.p_one(U), np.where(U >= 0, keep, 1 - keep), rtol=1e-12)
    assert act.is_classical == (g == math.pi / 2) and not act.memory


def test_ancilla_reset_at_g_zero_carries_nothing():
    np.testing.assert_allclose(activations.get("ancilla-reset", 0.7, 0.0).p_one(U), 0.5)


@pytest.mark.parametrize("g", [0.0, 0.4, 1.2, math.pi / 2])
def test_ancilla_kraus_operators_are_the_weak_measurement(g):
    act = activations.get("ancilla", 0.0, g)
    (m00, m01), (m10, m11) = act.kraus()
    s = math.sin(g)
    assert (m10, m11) == pytest.approx((math.sqrt((1 - s) / 2), math.sqrt((1 + s) / 2)))
    assert (m00, m01) == pytest.approx((math.sqrt((1 + s) / 2), math.sqrt((1 - s) / 2)))
    assert m00 ** 2 + m10 ** 2 == pytest.approx(1) and m01 ** 2 + m11 ** 2 == pytest.approx(1)  # complete
    phi = np.linspace(0, 2 * math.pi, 9)
    # P(r = 1) = |M_1 ψ|² = (1 − sin g cos φ)/2 for ψ = cos(φ/2)|0⟩ + sin(φ/2)|1⟩.
    p1 = m10 ** 2 * np.cos(phi / 2) ** 2 + m11 ** 2 * np.sin(phi / 2) ** 2
    np.testing.assert_allclose(p1, (1 - s * np.cos(phi)) / 2, atol=1e-12)
    np.testing.assert_allclose(act.weak_p_one(np.sin(phi / 2) ** 2), p1, atol=1e-12)
    assert act.memory and act.min_qubits == 2


def test_ancilla_has_no_stateless_probability():
    with pytest.raises(TypeError, match="has memory"):
        activations.get("ancilla", 0.5, 1.0).p_one(U)


@pytest.mark.parametrize("a", [0.1, 0.5, 2.0])
def test_the_papers_stretch_a_is_two_tau(a):
    """(1 + sin(π/2 · tanh(u/a)))/2, the paper's P(fire), is sin²(π σ_τ(u)/2) at τ = a/2."""
    tau = activations.tau_from_a(a)
    paper = (1 + np.sin(math.pi / 2 * np.tanh(U / a))) / 2
    np.testing.assert_allclose(activations.get("rotation", tau).p_one(U), paper, atol=1e-12)


def test_strict_neurons_fire_only_above_zero():
    act = activations.get("rotation", 0.0)
    np.testing.assert_array_equal(act.p_one(U, strict=True), [0, 0, 0, 0, 1, 1, 1])


def test_pi_over_two_typed_with_few_digits_is_classical():
    assert activations.get("ancilla", 0.0, 1.5707963).is_classical


@pytest.mark.parametrize(
    "args,match",
    [
        (("rotation", -0.1), r"quantumness must be >= 0 .* got -0.1"),
        (("rotation", float("nan")), "quantumness must be finite"),
        (("rotation", "abc"), "quantumness must be a number, got 'abc'"),
        (("ancilla", 0.0, 2.0), r"g must lie in \[0, pi/2\] .* got 2"),
        (("ancilla", 0.0, -0.5), r"g must lie in \[0, pi/2\]"),
        (("sigmoid",), "unknown activation 'sigmoid': use one of rotation, ancilla, ancilla-reset"),
    ],
)
def test_bad_knobs_are_one_line_errors(args, match):
    with pytest.raises(InputError, match=match):
        activations.get(*args)
