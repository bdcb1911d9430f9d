"""Runs of samples across threads (``sim.lanes``): the outcomes do not depend on the lanes, an
error in any lane reaches the caller in one piece, and BLAS runs at one thread while lanes run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import bnn2q
from bnn2q import activations, noise
from bnn2q.errors import InputError
from bnn2q.sim import lanes, packed, sampler

from .nets import NETS, inputs
from .test_brackets import conv_first, dense784

pytestmark = pytest.mark.skipif(not packed.available(), reason="numba does not import here")

CASES = [("rotation", 0.0, math.pi / 2, False), ("rotation", 0.6, math.pi / 2, False),
         ("ancilla-reset", 0.4, 1.2, False), ("ancilla", 0.4, 1.1, False), ("rotation", 0.6, math.pi / 2, True)]


def _many_lanes(monkeypatch, n: int):
    """Lanes on every call: n of them, units of any size."""
    monkeypatch.setattr(packed, "MODE", "always")
    monkeypatch.setattr(lanes, "MIN_UNIT_ELEMENTS", 0)
    monkeypatch.setattr(lanes, "available", lambda: n)


@pytest.mark.parametrize("net_name", ["dense784", "conv_first", "pooled", "residual"])
@pytest.mark.parametrize("activation,tau,g,noisy", CASES)
def test_outcomes_do_not_depend_on_the_lanes(monkeypatch, net_name, activation, tau, g, noisy):
    """One lane and three (each unit a few samples, the carried states and scratch each lane's
    own) give the same bits at the same seed, and the same logits up to the last bits of the
    float64 steps BLAS computes (its rounding depends on how many rows it is given)."""
    net = {"dense784": dense784, "conv_first": conv_first}.get(net_name, NETS.get(net_name))()
    x = inputs(net, 23)
    kwargs = dict(activation=activation, quantumness=tau, g=g, shots=7, seed=4)
    if noisy:
        kwargs["noise"] = noise.readout_flips(net, activations.get(activation, tau, g), 0.05, 0.1)
    _many_lanes(monkeypatch, 1)
    one = bnn2q.simulate(net, x, **kwargs)
    _many_lanes(monkeypatch, 3)
    spans, n = lanes.units(23, 7, 100, 10 ** 9, 3)
    assert n == 3 and len(spans) >= 6
    three = bnn2q.simulate(net, x, **kwargs)
    for a, b in zip(one.bits, three.bits, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(one.logits, three.logits, rtol=1e-12, atol=1e-12)


def test_units_cover_every_sample_once_and_lanes_need_enough_of_them():
    for n, shots, widest, chunk, want in [(10_000, 1, 256, 4096, 2), (100, 1, 14_400, 10 ** 9, 2),
                                          (3, 1, 256, 4096, 1), (10, 15, 14_400, 10 ** 9, 2)]:
        spans, n_lanes = lanes.units(n, shots, widest, chunk, 2)
        assert n_lanes == want
        assert spans[0][0] == 0 and spans[-1][1] == n
        assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(spans, spans[1:]))
        assert max(c1 - c0 for c0, c1 in spans) <= chunk
    assert lanes.units(10_000, 1, 256, 4096, 1) == ([(0, 4096), (4096, 8192), (8192, 10_000)], 1)


def test_an_error_in_a_worker_lane_reaches_the_caller_and_the_lanes_recover(monkeypatch):
    """A NaN in the last sample — found by whichever lane reads it (``FirstLayer32.norms``) —
    is the caller's one InputError; the next simulation runs normally."""
    _many_lanes(monkeypatch, 2)
    net = dense784()
    x = inputs(net, 40)
    x[-1, 5] = np.nan
    for tau in (0.0, 0.5):
        with pytest.raises(InputError, match="NaN or inf"):
            bnn2q.simulate(net, x, quantumness=tau, shots=3)
    x[-1, 5] = 0.0
    assert bnn2q.simulate(net, x, quantumness=0.5, shots=3).logits.shape == (40, 3, 4)


def test_blas_runs_at_one_thread_inside_lanes_only(monkeypatch):
    _many_lanes(monkeypatch, 2)
    seen, real = [], sampler._Sampler.unit

    def unit(self, *args):
        seen.append(max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"))
        return real(self, *args)

    monkeypatch.setattr(sampler._Sampler, "unit", unit)
    before = [i["num_threads"] for i in threadpool_info()]
    bnn2q.simulate(dense784(), inputs(dense784(), 30), quantumness=0.5, shots=2)
    assert seen and set(seen) == {1}
    assert [i["num_threads"] for i in threadpool_info()] == before


def test_concurrent_simulations_share_the_blas_limit_and_the_last_restores_it(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    _many_lanes(monkeypatch, 2)
    net = dense784()
    xs = [inputs(net, 30, seed=s) for s in range(6)]
    before = [i["num_threads"] for i in threadpool_info()]
    alone = [bnn2q.simulate(net, x, quantumness=0.5, shots=2, seed=1).logits for x in xs]
    with ThreadPoolExecutor(3) as pool:
        together = list(pool.map(lambda x: bnn2q.simulate(net, x, quantumness=0.5, shots=2, seed=1).logits, xs))
    for a, b in zip(alone, together):
        np.testing.assert_array_equal(a, b)
    assert [i["num_threads"] for i in threadpool_info()] == before
