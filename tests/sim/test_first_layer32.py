"""The first layer from real inputs in float32 (``encode32``): one GEMM, and still exactly the
float64 path's signs — elements within the float32 rounding bound are recomputed in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q.ir import Dense
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize
from bnn2q.sim import packed
from bnn2q.sim.encode32 import FirstLayer32
from bnn2q.host.forward import HostPass

from .nets import NETS, pm1


def _exact_signs(net, x):
    """σ from correctly rounded sums (``math.fsum``; the products x_i · (±1) are exact)."""
    layer = FirstLayer32.match(net)
    z = np.array([[math.fsum(row * w) for w in layer.weight] for row in np.asarray(x, np.float64)])
    return (z * layer.scale + layer.offset) >= 0


def _near_tie_net(n_in=200, width=64, strict_offset=0.0, seed=0):
    rng = np.random.default_rng(seed)
    w = pm1(rng, (width, n_in))
    scale = rng.uniform(0.2, 0.6, width) * rng.choice([-1, 1], width)
    layers = [Layer(Dense("d0", w), scale, np.full(width, strict_offset)), Layer(Dense("out", pm1(rng, (3, width))))]
    return canonicalize(chain((n_in,), layers)), w


def _near_ties(w, n=60, seed=1):
    """Inputs whose first-layer sums are 0 exactly (dyadic values, a balanced pairing) or within
    a few float32 ulps of it (non-dyadic perturbations), where float32 alone may get the sign wrong."""
    rng = np.random.default_rng(seed)
    width, n_in = w.shape
    x = rng.integers(-8, 9, size=(n, n_in)) / 8.0
    for r in range(n):
        j = r % width
        z = x[r] @ w[j]
        i = np.flatnonzero(np.abs(x[r]) < 1)[0]  # absorb the sum into one input: z_j = 0 exactly
        x[r, i] -= z * w[j, i]
        if r % 3 == 1:
            x[r, i] += w[j, i] * 1e-7 * (1 if r % 2 else -1)  # a tie broken below float32 resolution
        elif r % 3 == 2:
            x[r] *= 1 / 3  # non-dyadic values
    return x


@pytest.mark.parametrize("jit", [False, True])
def test_signs_equal_the_float64_path_at_near_ties(jit):
    if jit and not packed.available():
        pytest.skip("numba does not import here")
    net, w = _near_tie_net()
    x = _near_ties(w)
    layer = FirstLayer32.match(net)
    assert layer is not None
    want = _exact_signs(net, x)
    got = layer.signs(x, jit=jit)
    np.testing.assert_array_equal(got, want)
    # The float32 GEMM alone gets some of them wrong, or leaves them within its bound.
    u32 = (x.astype(np.float32) @ layer.w32) * layer.a32 + layer.c32
    assert np.count_nonzero((u32 >= 0) != want) + np.count_nonzero(np.abs(u32) < 1e-5) > 0


@pytest.mark.parametrize("mode", ["never", "always"])
def test_classical_simulation_uses_float32_and_keeps_the_float64_signs(monkeypatch, mode):
    if mode == "always" and not packed.available():
        pytest.skip("numba does not import here")
    monkeypatch.setattr(packed, "MODE", mode)
    net, w = _near_tie_net()
    x = _near_ties(w)
    sim = bnn2q.simulate(net, x, shots=2)
    np.testing.assert_array_equal(sim.bits[0][:, 0], _exact_signs(net, x))
    f32 = x.astype(np.float32)  # float32 input is read as it is
    np.testing.assert_array_equal(bnn2q.simulate(net, f32, shots=1).bits[0][:, 0], _exact_signs(net, f32))
    # Away from ties the float64 path agrees (it differs only where u is float64 noise, ~1e-16).
    u64 = HostPass(net, x).preactivation(0)
    clear = np.abs(u64) > 1e-12
    np.testing.assert_array_equal(sim.bits[0][:, 0][clear], (u64 >= 0)[clear])


@pytest.mark.parametrize("tau", [0.0, 0.5])
def test_inputs_beyond_float32_take_the_float64_path_and_non_finite_ones_are_refused(monkeypatch, tau):
    """The inputs are checked where the first layer sums them (their norms): a NaN is refused
    in one line; finite float64 inputs whose float32 sums would overflow leave the first layer
    to float64 and keep its outcomes — the exact signs at τ = 0, the float64 sampler's bits at
    τ > 0."""
    from bnn2q.errors import InputError
    from bnn2q.sim import lanes, sampler

    net, w = _near_tie_net()
    x = np.random.default_rng(3).uniform(-1, 1, (40, w.shape[1]))
    x[7] *= 1e300  # ±inf in float32
    x[9, 4] = 3e38  # inside float32, but its sums overflow it
    sim = bnn2q.simulate(net, x, quantumness=tau, shots=3, seed=5)
    if tau == 0.0:
        np.testing.assert_array_equal(sim.bits[0][:, 0], _exact_signs(net, x))
    else:
        supported = sampler.supported
        monkeypatch.setattr(sampler, "supported", lambda act, noise: False)
        slow = bnn2q.simulate(net, x, quantumness=tau, shots=3, seed=5)
        for k in range(len(net.hidden)):
            np.testing.assert_array_equal(sim.bits[k], slow.bits[k])
        monkeypatch.setattr(sampler, "supported", supported)
    x[11, 2] = np.nan  # found even when another lane's sample beyond float32 sends all to float64
    monkeypatch.setattr(packed, "MODE", "always")
    monkeypatch.setattr(lanes, "MIN_UNIT_ELEMENTS", 0)
    monkeypatch.setattr(lanes, "available", lambda: 2)
    with pytest.raises(InputError, match="NaN or inf"):
        bnn2q.simulate(net, x, quantumness=tau, shots=3)
    x[7] /= 1e300
    with pytest.raises(InputError, match="NaN or inf"):
        bnn2q.simulate(net, x.astype(np.float32), quantumness=tau, shots=3)


def test_only_a_dense_first_layer_read_by_its_sign_alone_matches():
    assert FirstLayer32.match(NETS["dense"]()) is not None
    assert FirstLayer32.match(NETS["real"]()) is not None
    assert FirstLayer32.match(NETS["residual"]()) is None  # u feeds a residual stream too
    assert FirstLayer32.match(NETS["conv"]()) is None  # a convolution: the float64 encoder


@pytest.mark.parametrize("tau", [0.0, 0.5])
def test_a_first_convolution_leaves_inputs_beyond_float32_to_float64(monkeypatch, tau):
    """Inputs whose float32 convolution could overflow (1e300 in float64) take the float64
    convolution — the same bits as a simulation that never had the float32 one (before, a
    table index from inf: a crash at τ > 0)."""
    from bnn2q.sim.conv32 import FirstConv32

    from .test_brackets import conv_first

    x = np.random.default_rng(4).uniform(-1, 1, (6, conv_first().n_inputs))
    x[2] *= 1e300
    got = bnn2q.simulate(conv_first(), x, quantumness=tau, shots=4, seed=2)
    monkeypatch.setattr(FirstConv32, "match", classmethod(lambda cls, net: None))
    want = bnn2q.simulate(conv_first(), x, quantumness=tau, shots=4, seed=2)
    for a, b in zip(got.bits, want.bits, strict=True):
        np.testing.assert_array_equal(a, b)
