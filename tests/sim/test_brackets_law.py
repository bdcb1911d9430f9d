"""The brackets' law table and windows (``brackets``): the table bounds the law, every
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
def test_the_table_bounds_the_law_between_and_beyond_its_grid_points(law_args):
    """F at the grid point at or below u ≤ ⌊p(u) · 2²⁴⌋ ≤ F at the one at or above u, on a grid
    16 times finer than the table's (and off it) and beyond its reach; F at a grid point is
    ⌊p · 2²⁴⌋ there, and one step moves F by at most π/32768 · sin g of the range."""
    act = activations.get(*law_args)
    law = LawTable.of(act)
    tau = law_args[1]
    m = law.last
    k = np.arange(1, m)
    grid = law.u0 + (k - 1) / law.inv_step
    np.testing.assert_array_equal(law.floors[k], np.floor(act.p_one(grid) * ALWAYS))
    assert law.floors[0] == np.floor(act.p_one(-np.inf) * ALWAYS) and law.floors[m] == np.floor(ALWAYS * act.p_one(
        np.inf))
    u = np.concatenate([law.u0 + np.arange(16 * (m - 2) + 1) / (16 * law.inv_step),
                        law.u0 + (np.arange(m - 2) + 0.37) / law.inv_step, np.linspace(-40, 40, 1001) * tau])
    t = (u - law.u0) * law.inv_step + 1.0
    below = law.floors[np.clip(t, 0, m - 1).astype(np.int32)]
    above = law.floors[np.ceil(np.clip(t, 1, m)).astype(np.int32)]
    exact = np.floor(act.p_one(u) * ALWAYS)
    assert np.all(below <= exact) and np.all(exact <= above)
    assert np.diff(law.floors).min() >= 0
    assert np.diff(law.floors).max() <= ALWAYS * act.fidelity * math.pi / 32768 + 1  # dp/du ≤ sin g · π/(8τ)


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
    # Tight: the bracket spans the law's change over [u − δ, u + δ], a table step each side, the margins.
    d64 = delta.astype(np.float64)
    change = quantize(act.p_one(u + d64)).astype(np.int64) - quantize(act.p_one(u - d64))
    step = np.diff(law.floors).max()
    assert np.all(hi - lo <= change + 2 * step + 2 * MARGIN + 3)


@pytest.mark.skipif(not packed.available(), reason="numba does not import here")
def test_the_numba_brackets_are_the_numpy_brackets():
    from bnn2q.sim.packed.brackets import _brackets

    law = LawTable.of(activations.get("ancilla-reset", 0.5, 1.2))
    rng = np.random.default_rng(1)
    width, positions = 24, 4
    z = rng.normal(0, 8, (3, width)).astype(np.float32)
    z[0, :4] = [1e6, -1e6, 0, 0]  # beyond the table's reach on either side
    norm = rng.uniform(0, 300, (3, positions)).astype(np.float32)
    layer = FirstLayer32("u", (width,), False, rng.choice([-1.0, 1.0], (width, 784)), rng.uniform(-0.2, 0.2, width),
                         rng.normal(0, 0.5, width))
    values = brackets.Bracketed(z, norm, None, layer)
    want_lo, want_hi = windows(*values.delta_u(), law)
    scratch = [np.empty(width, np.int32) for _ in range(4)]
    for q in range(3):
        _brackets(z, norm, q, layer.a32, layer.c32, layer.per_norm, layer.round_scale, layer.abs_offset, law.floors,
                  law.u0, law.inv_step, *scratch)
        np.testing.assert_array_equal(scratch[2], want_lo[q])
        np.testing.assert_array_equal(scratch[3], want_hi[q])


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
    bracketed = len(calls)
    assert bracketed >= 1  # once per run of samples (each lane takes its own)
    monkeypatch.setattr(sampler, "supported", lambda act, noise: False)
    slow = bnn2q.simulate(net, x, seed=2, **kwargs)
    assert len(calls) == bracketed
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
