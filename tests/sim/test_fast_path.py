"""The fast sampler against the reference path (bnn2q.sim.reference).

Exact equality at the classical values; elsewhere the same statistics, within 5 binomial
standard errors per neuron (fixed seeds, so the tests are deterministic)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.ir import Conv2D, Dense, Layer, Network
from bnn2q.sim import sampler, simulate_reference
from bnn2q.sim.bit_layers import BitInputLayer
from bnn2q.sim.blocks import blocks
from bnn2q.sim.reference import preactivations
from bnn2q.sim.thresholds import ALWAYS, quantize
from bnn2q.sim.words import WordStream
from bnn2q.sim.workspace import Workspace

Z = 5.0
KNOBS = [
    ("rotation", 0.0, math.pi / 2),
    ("ancilla", 0.0, math.pi / 2),
    ("rotation", 0.7, math.pi / 2),
    ("ancilla", 0.0, 0.8),
    ("ancilla", 0.4, 1.2),
]


def _pm1(rng, shape):
    return rng.choice(np.array([-1, 1], dtype=np.int8), size=shape)


def dense_net(sizes=(12, 10, 8, 4), seed=0) -> Network:
    rng = np.random.default_rng(seed)
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        scale = rng.uniform(0.2, 0.6, n_out) * rng.choice([-1, 1], n_out)
        layers.append(Layer(f"d{k}", Dense(f"d{k}", _pm1(rng, (n_out, n_in))), scale,
                            rng.normal(0, 0.5, n_out), hidden=k < len(sizes) - 2))
    return Network((sizes[0],), tuple(layers))


def pooled_net(seed=1) -> Network:
    """Conv (zeros in the matrix, varying row reach) → max-pool before the sign → OR-pool
    after it → dense → logits: every path through the kernels."""
    rng = np.random.default_rng(seed)
    conv = Conv2D("conv", _pm1(rng, (2, 2, 1, 2)), in_shape=(4, 4, 1), padding=(0, 1, 0, 1))
    n_lin = conv.n_out  # 4·4·2 = 32
    pool = np.arange(n_lin).reshape(16, 2)  # 16 neurons, each the max of two sums
    first = Layer("conv", conv, rng.uniform(0.3, 1, 16), rng.normal(0, 0.5, 16), hidden=True, pool=pool)
    second = Layer("d1", Dense("d1", _pm1(rng, (12, 16))), rng.uniform(0.2, 0.5, 12) * rng.choice([-1, 1], 12),
                   rng.normal(0, 0.5, 12), hidden=True, or_pool=np.arange(12).reshape(6, 2))
    third = Layer("d2", Dense("d2", _pm1(rng, (8, 6))), rng.uniform(0.2, 0.5, 4),
                  rng.normal(0, 0.3, 4), hidden=True, pool=np.arange(8).reshape(4, 2))
    readout = Layer("out", Dense("out", _pm1(rng, (3, 4))), np.ones(3), np.zeros(3), hidden=False)
    return Network((4, 4, 1), (first, second, third, readout))


NETS = {"dense": dense_net, "pooled": pooled_net}


def _inputs(net, n, seed=2):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, net.n_inputs))


@pytest.mark.parametrize("net_name", sorted(NETS))
@pytest.mark.parametrize("activation,tau,g", KNOBS[:2])
def test_equals_reference_exactly_at_classical_values(net_name, activation, tau, g):
    net = NETS[net_name]()
    x = _inputs(net, 40)
    fast = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=5, seed=1)
    ref = simulate_reference(net, x, activation=activation, quantumness=tau, g=g, shots=5, seed=2)
    for got, want in zip(fast.bits, ref.bits, strict=True):
        assert got.shape == want.shape and got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)
    assert fast.logits.shape == ref.logits.shape and fast.logits.dtype == np.float64
    np.testing.assert_array_equal(fast.logits, ref.logits)


def _assert_same_frequencies(f_a, f_b, shots_a, shots_b, what):
    pooled = (f_a * shots_a + f_b * shots_b) / (shots_a + shots_b)
    tol = Z * np.sqrt(pooled * (1 - pooled) * (1 / shots_a + 1 / shots_b)) + 1.0 / min(shots_a, shots_b)
    bad = np.abs(f_a - f_b) > tol
    assert not bad.any(), f"{what}: {bad.sum()} neurons off, worst {np.abs(f_a - f_b).max():.4f}"


@pytest.mark.parametrize("net_name", sorted(NETS))
@pytest.mark.parametrize("activation,tau,g", KNOBS[2:])
def test_same_statistics_as_reference(net_name, activation, tau, g):
    net = NETS[net_name]()
    x = _inputs(net, 3)
    shots = 20_000
    fast = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=3)
    ref = simulate_reference(net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=4)
    for k, (got, want) in enumerate(zip(fast.bits, ref.bits, strict=True)):
        _assert_same_frequencies(got.mean(axis=1), want.mean(axis=1), shots, shots, f"layer {k}")
    assert np.ptp(fast.bits[-1].mean(axis=1)) > 0.1, "the deepest layer should be random here"
    # Mean logits: standard error from the per-shot spread.
    se = np.sqrt((fast.logits.var(axis=1) + ref.logits.var(axis=1)) / shots) + 1e-12
    assert np.all(np.abs(fast.logits.mean(axis=1) - ref.logits.mean(axis=1)) <= Z * se + 1e-9)


def test_first_layer_frequencies_match_the_activation():
    net = dense_net()
    x = _inputs(net, 4)
    act = activations.get("rotation", 0.7)
    shots = 40_000
    sim = bnn2q.simulate(net, x, quantumness=0.7, shots=shots, seed=5)
    p = act.p_one(preactivations(net.layers[0], x))
    tol = Z * np.sqrt(p * (1 - p) / shots) + 1.0 / shots
    assert np.all(np.abs(sim.bits[0].mean(axis=1) - p) <= tol)


def test_small_blocks_split_shots_and_keep_results(monkeypatch):
    """Blocks smaller than one sample's shots: same classical outcomes, same statistics."""
    net = pooled_net()
    x = _inputs(net, 3)
    whole = bnn2q.simulate(net, x, quantumness=0.7, shots=4000, seed=6)
    classical = bnn2q.simulate(net, x, shots=50)
    monkeypatch.setattr(sampler, "BLOCK_ELEMENTS", 1000)
    assert len(list(blocks(3, 4000, 32, sampler.BLOCK_ELEMENTS))) > 3 * 4000 // 31 - 1
    split = bnn2q.simulate(net, x, quantumness=0.7, shots=4000, seed=6)
    for a, b in zip(whole.bits, split.bits):
        _assert_same_frequencies(a.mean(axis=1), b.mean(axis=1), 4000, 4000, "split blocks")
    for a, b in zip(classical.bits, bnn2q.simulate(net, x, shots=50).bits):
        np.testing.assert_array_equal(a, b)


def test_blocks_cover_every_sample_and_shot_once():
    for n, shots, row, budget in [(7, 3, 10, 45), (2, 100, 10, 300), (5, 1, 1, 1), (1, 9, 4, 8)]:
        seen = np.zeros((n, shots), dtype=int)
        for b in blocks(n, shots, row, budget):
            assert b.rows * row <= max(budget, row)
            seen[b.lo : b.hi, b.s0 : b.s1] += 1
        assert np.all(seen == 1)


def test_keep_bits_false_stores_the_same_logits_only():
    net = dense_net()
    x = _inputs(net, 6)
    kept = bnn2q.simulate(net, x, quantumness=0.7, shots=300, seed=7)
    lean = bnn2q.simulate(net, x, quantumness=0.7, shots=300, seed=7, keep_bits=False)
    assert lean.bits is None
    np.testing.assert_array_equal(lean.logits, kept.logits)
    np.testing.assert_array_equal(lean.predictions, kept.predictions)


def test_classical_shots_share_one_computation():
    net = dense_net()
    sim = bnn2q.simulate(net, _inputs(net, 5), shots=1000)
    assert all(b.strides[1] == 0 for b in sim.bits) and sim.logits.strides[1] == 0
    assert sim.bits[0].shape == (5, 1000, 10) and sim.logits.shape == (5, 1000, 4)


def test_threshold_table_equals_evaluating_the_activation():
    act = activations.get("ancilla", 0.4, 1.2)
    rng = np.random.default_rng(8)
    for layer in pooled_net().layers[1:3] + dense_net().layers[1:2]:
        s = (rng.random((64, layer.n_in)) < 0.5).astype(np.float32)
        tabled = BitInputLayer(layer, act, rows=10**6)
        direct = BitInputLayer(layer, act, rows=0)
        assert tabled.table is not None and direct.table is None
        got = tabled.thresholds(s, Workspace()).copy()
        y = 2.0 * s - 1.0
        u = preactivations(layer, y)
        np.testing.assert_array_equal(got, quantize(act.p_one(u)))
        np.testing.assert_array_equal(direct.thresholds(s, Workspace()), got)


def test_integer_thresholds_fire_exactly_when_a_float32_draw_would():
    """k < ⌈p·2²⁴⌉ ⟺ k·2⁻²⁴ < p for every 24-bit k, so the statistics equal the reference's."""
    eps = np.float32(2.0**-24)
    ps = np.array([0, eps, 2 * eps, 0.3, 0.5, 1 - eps, 1, 1e-30, 0.1 + eps / 3], dtype=np.float32)
    t = quantize(ps).astype(np.int64)
    assert t[0] == 0 and t[6] == ALWAYS
    for p, tk in zip(ps, t):
        for k in (tk - 2, tk - 1, tk, tk + 1):
            if 0 <= k < ALWAYS:
                assert (k < tk) == (np.float32(k) * eps < p)


def test_words_are_uniform_24_bit():
    w = WordStream(0).words((1000, 101))
    assert w.dtype == np.uint32 and w.shape == (1000, 101) and w.max() < ALWAYS
    np.testing.assert_array_equal(w, WordStream(0).words((1000, 101)))
    # Each of the 24 bits is a fair coin: 101,000 draws give SE ≈ 0.0016.
    bits = (w[..., None] >> np.arange(24, dtype=np.uint32)) & 1
    assert np.all(np.abs(bits.mean(axis=(0, 1)) - 0.5) < 0.01)


def test_bad_shots_rejected():
    net = dense_net()
    for shots in (0, -1, 2.5, True):
        with pytest.raises(bnn2q.InputError, match="shots"):
            bnn2q.simulate(net, _inputs(net, 1), shots=shots)
