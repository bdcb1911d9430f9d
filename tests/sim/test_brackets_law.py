"""The brackets' law table and windows (``brackets``): the table's error bound holds, every
bracket contains the threshold of every value within its δ, which laws take the bracket path,
and the bracketed sampler's rates agree with the float64 sampler's."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations, noise
from bnn2q.sim import brackets, packed, sampler
from bnn2q.sim.brackets import MARGIN, LawTable, windows
from bnn2q.sim.encode32 import FirstLayer32
from bnn2q.sim.thresholds import ALWAYS, quantize

from .test_brackets import dense784, spy

LAWS = [("rotation", 0.5, math.pi / 2), ("rotation", 0.05, math.pi / 2), ("rotation", 4.0, math.pi / 2),
        ("ancilla-reset", 0.5, 1.2), ("ancilla-reset", 0.3, 0.3)]


@pytest.mark.parametrize("law_args", LAWS, ids=lambda a: f"{a[0]}-{a[1]}-{a[2]:.2f}")
def test_the_table_is_within_its_error_bound(law_args):
    act = activations.get(*law_args)
    law = LawTable.of(act)
    fine = law.u0 + np.arange((len(law.table) - 1) * 16 + 1) / (16 * law.inv_step)  # 16 points per step
    fine = np.concatenate([fine, fine[:-1] + 0.37 / (16 * law.inv_step)])
    error = np.abs(act.p_one(fine) - brackets._lerp(fine, law))
    assert error.max() <= law.err
    assert error.max() >= law.err / 4  # the bound is not vacuous: within 4× of the largest error
    assert law.err * 2 ** 24 < 40  # and costs a few dozen threshold units at most


@pytest.mark.parametrize("law_args", LAWS, ids=lambda a: f"{a[0]}-{a[1]}-{a[2]:.2f}")
def test_a_bracket_holds_the_threshold_of_every_value_within_delta(law_args):
    """lo ≤ T(v) ≤ hi for v at u − δ, u + δ and between (T(v) ≥ lo: a word below lo fires;
    T(v) ≤ hi: a word at or above hi does not), δ from 0 to a few τ, u over the whole law."""
    act = activations.get(*law_args)
    law = LawTable.of(act)
    tau = law_args[1]
    rng = np.random.default_rng(0)
    n = 200_000
    u = (rng.uniform(-15, 15, n) * tau).astype(np.float32)
    delta = (10.0 ** rng.uniform(-9, 0.5, n) * tau).astype(np.float32)
    delta[: n // 10] = 0
    lo, hi = windows(u, delta, law)
    for f in (-1.0, 1.0, rng.uniform(-1, 1, n)):
        t = quantize(act.p_one(u.astype(np.float64) + f * delta.astype(np.float64)))
        assert np.all(lo <= t) and np.all(t <= hi)
    # Tight: the bracket spans the law's change over [u − δ, u + δ], the table's error and the margins.
    d64 = delta.astype(np.float64)
    change = quantize(act.p_one(u + d64)).astype(np.int64) - quantize(act.p_one(u - d64))
    assert np.all(hi.astype(np.int64) - lo <= change + 4 * law.err * ALWAYS + 2 * MARGIN + 4)


@pytest.mark.skipif(not packed.available(), reason="numba does not import here")
def test_the_numba_brackets_are_the_numpy_brackets():
    from bnn2q.sim.packed.brackets import _brackets

    law = LawTable.of(activations.get("ancilla-reset", 0.5, 1.2))
    rng = np.random.default_rng(1)
    width, positions = 24, 4
    z = rng.normal(0, 8, (3, width)).astype(np.float32)
    norm = rng.uniform(0, 300, (3, positions)).astype(np.float32)
    layer = FirstLayer32("u", (width,), False, rng.choice([-1.0, 1.0], (width, 784)), rng.uniform(-0.2, 0.2, width),
                         rng.normal(0, 0.5, width))
    values = brackets.Bracketed(z, norm, None, layer)
    want_lo, want_hi = windows(*values.delta_u(), law)
    for q in range(3):
        lo, hi = np.empty(width, np.int64), np.empty(width, np.int64)
        _brackets(z, norm, q, layer.a32, layer.c32, layer.per_norm, layer.round_scale, layer.abs_offset, law.table,
                  law.u0, law.inv_step, law.u_top, law.err, law.p_min, law.p_max, lo, hi)
        np.testing.assert_array_equal(lo, want_lo[q])
        np.testing.assert_array_equal(np.minimum(hi, ALWAYS + MARGIN), want_hi[q])  # NumPy clips hi


def test_memory_and_noise_keep_the_float64_path(monkeypatch):
    """The ancilla activation carries a state from u, noise laws need not be monotone: neither
    takes the brackets; rotation and ancilla-reset at τ > 0 without noise do."""
    assert brackets.supported(activations.get("rotation", 0.5), None)
    assert brackets.supported(activations.get("ancilla-reset", 0.5, 1.0), None)
    assert not brackets.supported(activations.get("ancilla", 0.5, 1.0), None)
    assert not brackets.supported(activations.get("rotation", 0.0), None)
    net = dense784()
    x = np.random.default_rng(0).uniform(0, 1, (4, 784))
    calls = spy(monkeypatch, FirstLayer32, "bracket")
    bnn2q.simulate(net, x, activation="ancilla-reset", quantumness=0.5, g=1.0, shots=2)
    assert len(calls) == 1
    act = activations.get("rotation", 0.5)
    flips = noise.readout_flips(net, act, 0.03, 0.08)
    assert not brackets.supported(act, flips)
    bnn2q.simulate(net, x, activation="ancilla", quantumness=0.5, g=1.0, shots=2)
    bnn2q.simulate(net, x, activation="rotation", quantumness=0.5, shots=2, noise=flips)
    assert len(calls) == 1


@pytest.mark.parametrize("act_args", [("rotation", 0.5, math.pi / 2), ("ancilla-reset", 0.5, 1.2)])
def test_rates_agree_with_the_float64_sampler(monkeypatch, act_args):
    """Every hidden neuron's firing rate per sample, bracketed (seed 1) against the float64
    sampler (seed 2, independent words): |f₁ − f₂| ≤ 5.5 · √(2 p̂(1 − p̂)/S) + 2/S, p̂ the
    pooled rate — a family-wise false alarm below 10⁻³ over the 8 × 64 rates — and the first
    layer's rates against p(u₆₄) itself with 5.5 standard errors."""
    net = dense784()
    x = np.random.default_rng(9).uniform(0, 1, (8, 784))
    activation, tau, g = act_args
    shots = 6000
    kwargs = dict(activation=activation, quantumness=tau, g=g, shots=shots)
    calls = spy(monkeypatch, FirstLayer32, "bracket")
    fast = bnn2q.simulate(net, x, seed=1, **kwargs)
    assert len(calls) == 1
    monkeypatch.setattr(sampler, "supported", lambda act, noise: False)
    slow = bnn2q.simulate(net, x, seed=2, **kwargs)
    assert len(calls) == 1
    for k in range(len(net.hidden)):
        f1, f2 = fast.bits[k].mean(axis=1), slow.bits[k].mean(axis=1)  # [samples, width]
        pooled = (f1 + f2) / 2
        tol = 5.5 * np.sqrt(2 * pooled * (1 - pooled) / shots) + 2 / shots
        assert np.all(np.abs(f1 - f2) <= tol), f"layer {k}: worst {np.max(np.abs(f1 - f2) / tol):.2f} × tolerance"
    layer = FirstLayer32.match(net)
    p = activations.get(*act_args).p_one(x @ layer.weight.T * layer.scale + layer.offset)
    assert np.ptp(p) > 0.5, "the test needs neurons spread over probabilities"
    tol = 5.5 * np.sqrt(p * (1 - p) / shots) + 1 / shots
    assert np.all(np.abs(fast.bits[0].mean(axis=1) - p) <= tol)
