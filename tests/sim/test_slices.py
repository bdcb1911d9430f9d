"""Position-addressed randomness: a sample's outcomes depend on the seed and its global index,
not on the other samples of the call, the blocks or the path — so a test set split into slices
(``first_sample``) gives the same outcomes, bit for bit, as the whole."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations, noise
from bnn2q.sim import packed, sampler

from .nets import NETS, dense_net, inputs

PATHS = ["never"] + (["always"] if packed.available() else [])
REGIMES = {
    "rotation": dict(activation="rotation", quantumness=0.6),
    "ancilla": dict(activation="ancilla", quantumness=0.4, g=1.1),
    "ancilla tau=0": dict(activation="ancilla", quantumness=0.0, g=0.8),
    "ancilla-reset": dict(activation="ancilla-reset", quantumness=0.3, g=1.2),
}


def _noisy(net, kwargs):
    act = activations.get(kwargs["activation"], kwargs.get("quantumness", 0.0), kwargs.get("g", math.pi / 2))
    return dict(kwargs, noise=noise.readout_flips(net, act, 0.03, 0.08))


def _assert_rows(part, whole, lo, hi):
    for a, b in zip(part.bits, whole.bits, strict=True):
        np.testing.assert_array_equal(a, b[lo:hi])
    np.testing.assert_array_equal(part.logits, whole.logits[lo:hi])


@pytest.mark.parametrize("mode", PATHS)
@pytest.mark.parametrize("net_name", ["dense", "real", "conv"])
@pytest.mark.parametrize("regime", sorted(REGIMES))
@pytest.mark.parametrize("noisy", [False, True], ids=["ideal", "noisy"])
def test_a_slice_with_its_offset_equals_those_rows_of_the_whole(monkeypatch, mode, net_name, regime, noisy):
    monkeypatch.setattr(packed, "MODE", mode)
    net = NETS[net_name]()
    x = inputs(net, 9)
    kwargs = REGIMES[regime]
    if noisy:
        kwargs = _noisy(net, kwargs)
    whole = bnn2q.simulate(net, x, shots=7, seed=11, **kwargs)
    for lo, hi in [(0, 1), (3, 9), (8, 9), (2, 5)]:
        part = bnn2q.simulate(net, x[lo:hi], shots=7, seed=11, first_sample=lo, **kwargs)
        _assert_rows(part, whole, lo, hi)


def test_outcomes_do_not_depend_on_blocks_or_path(monkeypatch):
    """Blocks of whole samples, runs of one sample's shots, and either path: the same bits."""
    net = dense_net((20, 16, 12, 3))
    x = inputs(net, 5)
    kwargs = dict(activation="ancilla", quantumness=0.5, g=1.0, shots=40, seed=2)
    results = []
    for mode in PATHS:
        for elements in (1 << 18, 16 * 30, 16 * 7, 1):
            monkeypatch.setattr(packed, "MODE", mode)
            monkeypatch.setattr(sampler, "BLOCK_ELEMENTS", elements)
            monkeypatch.setattr(sampler, "PACKED_BLOCK_ELEMENTS", elements)
            results.append(bnn2q.simulate(net, x, **kwargs))
    for other in results[1:]:
        _assert_rows(other, results[0], 0, len(x))


def test_samples_do_not_depend_on_their_neighbours():
    """The same sample at the same global index gives the same shots, whatever surrounds it;
    at another index, other shots."""
    net = dense_net()
    x = inputs(net, 4)
    kwargs = dict(quantumness=0.7, shots=50, seed=4)
    a = bnn2q.simulate(net, x, **kwargs)
    b = bnn2q.simulate(net, np.concatenate([x[:2], inputs(net, 2, seed=9)]), **kwargs)
    _assert_rows(bnn2q.simulate(net, x[:2], **kwargs), a, 0, 2)
    for got, want in zip(b.bits, a.bits):
        np.testing.assert_array_equal(got[:2], want[:2])
    moved = bnn2q.simulate(net, x[1:2], first_sample=0, **kwargs)
    assert not np.array_equal(moved.bits[0], a.bits[0][1:2])


def test_fewer_shots_are_a_prefix_of_more():
    net = dense_net()
    x = inputs(net, 3)
    many = bnn2q.simulate(net, x, quantumness=0.7, shots=30, seed=5)
    few = bnn2q.simulate(net, x, quantumness=0.7, shots=8, seed=5)
    _assert_rows(few, bnn2q.SimResult([b[:, :8] for b in many.bits], many.logits[:, :8]), 0, 3)


def test_classical_values_draw_no_random_words(monkeypatch):
    from bnn2q.sim import words

    def refuse(*args, **kwargs):
        raise AssertionError("a random word was drawn")

    monkeypatch.setattr(words.WordStream, "block", refuse)
    net = dense_net()
    for kwargs in (dict(quantumness=0.0), dict(activation="ancilla", g=math.pi / 2)):
        sim = bnn2q.simulate(net, inputs(net, 3), shots=5, seed=1, **kwargs)
        assert sim.logits.shape == (3, 5, 4)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_bad_first_sample_rejected(bad):
    net = dense_net()
    with pytest.raises(bnn2q.InputError, match="first_sample"):
        bnn2q.simulate(net, inputs(net, 1), quantumness=0.5, first_sample=bad)
