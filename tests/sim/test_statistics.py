"""SPEC §2: away from the classical values the simulator samples the exact outcome statistics.

Tolerances come from the shot count: a frequency f of S Bernoulli(p) draws has standard error
√(p(1−p)/S); we allow 5 standard errors (plus 1/S for p near 0 or 1), so a correct sampler
fails with probability < 1e-5 per neuron while a wrong angle map (e.g. cos for sin, a τ off by
a factor 2, a flipped threshold) moves many neurons by tens of standard errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q.host.forward import HostPass

SHOTS = 20_000
Z = 5.0


def _closed_form_p(u, activation, tau, g):
    """SPEC §2 written out independently of bnn2q.activations."""
    if tau == 0:
        theta = math.pi * (u >= 0)
    else:
        theta = math.pi / (1.0 + np.exp(-u / tau))
    p = np.sin(theta / 2) ** 2
    if activation in ("ancilla", "ancilla-reset"):  # on fresh qubits (the first layer) both agree
        keep = (1 + math.sin(g)) / 2
        p = p * keep + (1 - p) * (1 - keep)
    return p


def _assert_frequencies(freq, p, shots, what):
    tol = Z * np.sqrt(p * (1 - p) / shots) + 1.0 / shots
    bad = np.abs(freq - p) > tol
    assert not bad.any(), f"{what}: {bad.sum()} neurons off, worst |f-p| = {np.abs(freq - p).max():.4f}"


@pytest.mark.parametrize(
    "activation,tau,g",
    [("rotation", 0.5, None), ("rotation", 2.0, None), ("ancilla-reset", 0.0, 0.7), ("ancilla", 0.3, 1.1)],
)
def test_first_layer_matches_closed_form(digits_model, digits, activation, tau, g):
    net = bnn2q.load(digits_model)
    x = digits.x_test[:3]
    kwargs = {"g": g} if g is not None else {}
    sim = bnn2q.simulate(net, x, activation=activation, quantumness=tau, shots=SHOTS, seed=11, **kwargs)
    u = HostPass(net, x).preactivation(0)
    p = _closed_form_p(u, activation, tau, g)
    assert np.ptp(p) > 0.3, "the test needs neurons spread over probabilities"
    _assert_frequencies(sim.bits[0].mean(axis=1), p, SHOTS, "first hidden layer")


def _reference_sampler(net, x, activation, tau, g, shots, rng):
    """An independent shot-by-shot sampler: loops over shots and layers with its own math
    (the host's deterministic steps, closed-form probabilities, its own random stream)."""
    out = [np.zeros((shots, layer.width), dtype=np.uint8) for layer in net.hidden]
    for s in range(shots):
        host = HostPass(net, x)
        for k, layer in enumerate(net.hidden):
            p = _closed_form_p(host.preactivation(k)[0], activation, tau, g)
            bits = (rng.random(layer.width) < p).astype(np.uint8)
            out[k][s] = bits
            host.measured(k, bits[None])
    return out


@pytest.mark.parametrize("activation,tau,g", [("rotation", 1.0, None), ("ancilla-reset", 0.0, 0.6)])
def test_deeper_layers_match_reference_sampler(digits_model, digits, activation, tau, g):
    net = bnn2q.load(digits_model)
    x = digits.x_test[7].reshape(-1).astype(np.float64)
    kwargs = {"g": g} if g is not None else {}
    sim = bnn2q.simulate(net, x, activation=activation, quantumness=tau, shots=SHOTS, seed=5, **kwargs)
    ref_shots = 4_000
    ref = _reference_sampler(net, x, activation, tau, g if g is not None else math.pi / 2, ref_shots,
                             np.random.default_rng(99))
    for k in range(1, len(ref)):
        f_sim = sim.bits[k][0].mean(axis=0)
        f_ref = ref[k].mean(axis=0)
        pooled = (f_sim * SHOTS + f_ref * ref_shots) / (SHOTS + ref_shots)
        tol = Z * np.sqrt(pooled * (1 - pooled) * (1 / SHOTS + 1 / ref_shots)) + 2.0 / ref_shots
        assert np.ptp(f_sim) > 0.2, "deeper layer should not be deterministic here"
        assert np.all(np.abs(f_sim - f_ref) <= tol), f"layer {k}: max diff {np.abs(f_sim - f_ref).max():.4f}"


def test_same_seed_same_outcomes_and_different_seed_differs(digits_model, digits):
    x = digits.x_test[:20]
    a = bnn2q.simulate(digits_model, x, quantumness=1.0, shots=50, seed=123)
    b = bnn2q.simulate(digits_model, x, quantumness=1.0, shots=50, seed=123)
    c = bnn2q.simulate(digits_model, x, quantumness=1.0, shots=50, seed=124)
    for ba, bb, bc in zip(a.bits, b.bits, c.bits):
        np.testing.assert_array_equal(ba, bb)
        assert np.any(ba != bc)


def test_result_shapes_and_dtypes(digits_model, digits):
    net = bnn2q.load(digits_model)
    sim = bnn2q.simulate(net, digits.x_test[:5], quantumness=0.5, shots=7)
    assert [b.shape for b in sim.bits] == [(5, 7, layer.width) for layer in net.hidden]
    assert all(b.dtype == np.uint8 for b in sim.bits)
    assert sim.logits.shape == (5, 7, 10)
    assert sim.predictions.shape == (5,) and sim.predictions.dtype.kind == "i"


def test_quantumness_lowers_single_shot_accuracy(digits_model, digits):
    """A sanity check on direction: noisier neurons make single shots worse."""
    x, y = digits.x_test, digits.y_test
    classical = bnn2q.simulate(digits_model, x, shots=1).shot_accuracy(y)
    noisy = bnn2q.simulate(digits_model, x, quantumness=2.0, shots=20).shot_accuracy(y)
    assert noisy < classical - 0.2
