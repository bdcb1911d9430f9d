"""The fast sampler against the reference path (bnn2q.sim.reference).

Exact equality at the classical values; elsewhere the same statistics — every neuron's
frequency and, for the ancilla activation whose neurons carry their state, the pairwise
correlations of consecutive layers — within 4.5 binomial standard errors (fixed seeds, so the
tests are deterministic). A power check shows the comparison catches a wrong Kraus operator or
a missing −π r term."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.sim import neurons, packed, sampler, simulate_reference
from bnn2q.sim.blocks import blocks
from bnn2q.sim.fused import find_fused_layers, threshold_table
from bnn2q.host.forward import HostPass
from bnn2q.sim.thresholds import ALWAYS, quantize
from bnn2q.sim.words import WordStream

from .nets import NETS, dense_net, inputs, pooled_net, real_net

Z = 4.5
CLASSICAL = [("rotation", 0.0, math.pi / 2), ("ancilla", 0.0, math.pi / 2), ("ancilla-reset", 0.0, math.pi / 2)]
QUANTUM = [("rotation", 0.7, math.pi / 2), ("ancilla-reset", 0.0, 0.8), ("ancilla-reset", 0.4, 1.2),
           ("ancilla", 0.0, 0.8), ("ancilla", 0.4, 1.2)]


@pytest.mark.parametrize("net_name", sorted(NETS))
@pytest.mark.parametrize("activation,tau,g", CLASSICAL)
def test_equals_reference_exactly_at_classical_values(net_name, activation, tau, g):
    net = NETS[net_name]()
    x = inputs(net, 40)
    fast = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=5, seed=1)
    ref = simulate_reference(net, x, activation=activation, quantumness=tau, g=g, shots=5, seed=2)
    for got, want in zip(fast.bits, ref.bits, strict=True):
        assert got.shape == want.shape and got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)
    assert fast.logits.shape == ref.logits.shape and fast.logits.dtype == np.float64
    np.testing.assert_allclose(fast.logits, ref.logits, rtol=1e-12, atol=1e-12)


def _close(a, b, n_a, n_b):
    """|a − b| within Z pooled binomial standard errors (plus a count's worth at the edges)."""
    pooled = (a * n_a + b * n_b) / (n_a + n_b)
    tol = Z * np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b)) + 1.0 / min(n_a, n_b)
    return np.abs(a - b) <= tol


def _pairs(bits_a, bits_b):
    """P(s_i = 1, s'_j = 1) per sample, [n, width_a, width_b]."""
    return np.einsum("nsi,nsj->nij", bits_a.astype(np.float64), bits_b.astype(np.float64)) / bits_a.shape[1]


def mismatches(fast, ref, shots_a, shots_b) -> list[str]:
    """Every layer's frequencies and every consecutive pair's joint frequencies compared."""
    bad = []
    for k, (a, b) in enumerate(zip(fast.bits, ref.bits, strict=True)):
        ok = _close(a.mean(axis=1), b.mean(axis=1), shots_a, shots_b)
        if not ok.all():
            bad.append(f"layer {k}: {np.size(ok) - ok.sum()} frequencies off")
    for k in range(len(fast.bits) - 1):
        ok = _close(_pairs(fast.bits[k], fast.bits[k + 1]), _pairs(ref.bits[k], ref.bits[k + 1]), shots_a, shots_b)
        if not ok.all():
            bad.append(f"layers {k}-{k + 1}: {np.size(ok) - ok.sum()} joint frequencies off")
    return bad


@pytest.mark.parametrize("net_name", sorted(NETS))
@pytest.mark.parametrize("activation,tau,g", QUANTUM)
def test_same_statistics_as_reference(net_name, activation, tau, g):
    net = NETS[net_name]()
    x = inputs(net, 3)
    shots = 20_000
    fast = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=3)
    ref = simulate_reference(net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=4)
    assert mismatches(fast, ref, shots, shots) == []
    assert np.ptp(fast.bits[-1].mean(axis=1)) > 0.1, "the deepest layer should be random here"
    se = np.sqrt((fast.logits.var(axis=1) + ref.logits.var(axis=1)) / shots) + 1e-12
    assert np.all(np.abs(fast.logits.mean(axis=1) - ref.logits.mean(axis=1)) <= Z * se + 1e-9)


PAPER_GRID = [(tau, g) for tau in (0.0, 0.5) for g in (0.3, 0.8, 1.2)]


@pytest.mark.parametrize("tau,g", PAPER_GRID)
def test_carried_ancilla_matches_the_state_vector_reference(tau, g):
    """The paper's network, 3 hidden layers of equal width: marginals and consecutive-layer
    correlations of the fast sampler equal the literal two-qubit evolution's."""
    net = real_net((12, 6, 6, 6, 4))
    x = inputs(net, 3, seed=5)
    shots = 40_000
    fast = bnn2q.simulate(net, x, activation="ancilla", quantumness=tau, g=g, shots=shots, seed=6)
    ref = simulate_reference(net, x, activation="ancilla", quantumness=tau, g=g, shots=shots, seed=7)
    assert mismatches(fast, ref, shots, shots) == []


_KRAUS = activations.Ancilla.kraus


def _broken_kraus(act):
    (a, b), (c, d) = _KRAUS(act)
    return (a, b), (d, c)  # M_1's diagonal reversed: reads |0⟩ as |1⟩


@pytest.mark.parametrize("mutation", ["kraus", "no_undo"])
def test_the_comparison_catches_a_wrong_update(monkeypatch, mutation):
    """At τ > 0 neurons hold superpositions, where the collapse matters (at τ = 0 every neuron
    qubit stays a basis state, which any diagonal Kraus operator leaves alone)."""
    net = real_net((12, 6, 6, 6, 4))
    x = inputs(net, 3, seed=5)
    shots = 40_000
    ref = simulate_reference(net, x, activation="ancilla", quantumness=0.5, g=0.8, shots=shots, seed=7)
    if mutation == "kraus":
        monkeypatch.setattr(activations.Ancilla, "kraus", _broken_kraus)
    else:  # a mutation of the NumPy path's rotation (the packed kernels have their own)
        monkeypatch.setattr(packed, "MODE", "never")
        real_rotate = neurons.rotate
        monkeypatch.setattr(neurons, "rotate", lambda c0, c1, last, cos, sin: real_rotate(c0, c1, last & False, cos, sin))
    fast = bnn2q.simulate(net, x, activation="ancilla", quantumness=0.5, g=0.8, shots=shots, seed=6)
    assert mismatches(fast, ref, shots, shots), f"a {mutation} bug went unnoticed"


def test_memory_changes_the_statistics_reset_does_not_share():
    net = real_net((12, 6, 6, 6, 4))
    x = inputs(net, 3, seed=5)
    shots = 40_000
    carried = bnn2q.simulate(net, x, activation="ancilla", g=0.3, shots=shots, seed=8)
    reset = bnn2q.simulate(net, x, activation="ancilla-reset", g=0.3, shots=shots, seed=9)
    assert mismatches(carried, reset, shots, shots), "memory and the memoryless reduction should differ"


def test_ancilla_at_g_pi_over_2_is_rotation_bit_for_bit():
    net = real_net()
    x = inputs(net, 4)
    a = bnn2q.simulate(net, x, activation="ancilla", quantumness=0.6, g=math.pi / 2, shots=500, seed=3)
    r = bnn2q.simulate(net, x, activation="rotation", quantumness=0.6, shots=500, seed=3)
    for ba, br in zip(a.bits, r.bits):
        np.testing.assert_array_equal(ba, br)


def test_first_layer_frequencies_match_the_activation():
    net = dense_net()
    x = inputs(net, 4)
    act = activations.get("rotation", 0.7)
    shots = 40_000
    sim = bnn2q.simulate(net, x, quantumness=0.7, shots=shots, seed=5)
    p = act.p_one(HostPass(net, x).preactivation(0))
    tol = Z * np.sqrt(p * (1 - p) / shots) + 1.0 / shots
    assert np.all(np.abs(sim.bits[0].mean(axis=1) - p) <= tol)


def test_small_blocks_split_shots_and_keep_results(monkeypatch):
    """Blocks smaller than one sample's shots: same classical outcomes, same statistics."""
    net = pooled_net()
    x = inputs(net, 3)
    whole = bnn2q.simulate(net, x, quantumness=0.7, shots=4000, seed=6)
    classical = bnn2q.simulate(net, x, shots=50)
    monkeypatch.setattr(sampler, "BLOCK_ELEMENTS", 1000)
    assert len(list(blocks(3, 4000, 32, sampler.BLOCK_ELEMENTS))) > 3 * 4000 // 31 - 1
    split = bnn2q.simulate(net, x, quantumness=0.7, shots=4000, seed=6)
    assert mismatches(whole, split, 4000, 4000) == []
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
    x = inputs(net, 6)
    kept = bnn2q.simulate(net, x, quantumness=0.7, shots=300, seed=7)
    lean = bnn2q.simulate(net, x, quantumness=0.7, shots=300, seed=7, keep_bits=False)
    assert lean.bits is None
    np.testing.assert_array_equal(lean.logits, kept.logits)
    np.testing.assert_array_equal(lean.predictions, kept.predictions)


def test_classical_shots_share_one_computation():
    net = dense_net()
    sim = bnn2q.simulate(net, inputs(net, 5), shots=1000)
    assert all(b.strides[1] == 0 for b in sim.bits) and sim.logits.strides[1] == 0
    assert sim.bits[0].shape == (5, 1000, 10) and sim.logits.shape == (5, 1000, 4)


def test_integer_layers_take_the_table_and_it_equals_the_activation():
    act = activations.get("ancilla-reset", 0.4, 1.2)
    rng = np.random.default_rng(8)
    for net in (dense_net(), pooled_net()):
        fused = find_fused_layers(net, rows=10**6)
        assert sorted(fused) == list(range(1, len(net.hidden)))
        assert not find_fused_layers(real_net(), rows=10**6), "real kernels are not tabulated"
        for k, f in fused.items():
            table = threshold_table(f, act, strict=False)
            host = HostPass(net, inputs(net, 1))
            for j in range(k):
                host.measured(j, rng.integers(0, 2, size=(64, net.hidden[j].width)))
            u = host.preactivation(k)
            sums = np.round((u - f.offset) / f.scale).astype(np.int64)
            index = (f.index_offset().astype(np.int64) + sums).reshape(-1)
            np.testing.assert_array_equal(table[index].reshape(u.shape), quantize(act.p_one(u)))


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


def test_words_do_not_depend_on_how_the_stream_is_requested():
    """Blocks differ between the simulator's paths; odd requests must not drop words."""
    whole = WordStream(7).words((101,))
    stream = WordStream(7)
    parts = [stream.words(shape) for shape in ((3,), (0,), (5, 1), (1,), (92,))]
    np.testing.assert_array_equal(np.concatenate([p.ravel() for p in parts]), whole)


def test_bad_shots_rejected():
    net = dense_net()
    for shots in (0, -1, 2.5, True):
        with pytest.raises(bnn2q.InputError, match="shots"):
            bnn2q.simulate(net, inputs(net, 1), shots=shots)
