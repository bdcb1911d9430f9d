"""The first layer at τ > 0 from float32 values (``brackets``): every outcome is word < T(u₆₄),
u₆₄ the layer's float64 value summed in a fixed order — checked against a direct reference on
inputs crafted to sit at a threshold, on both paths, in any block split — and the bracket's
law table keeps its error bound. The rates agree with the float64 sampler's."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.ir import Conv2D, Dense, MaxPool2D
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize
from bnn2q.sim import brackets, measure, packed, sampler
from bnn2q.sim.conv32 import FirstConv32
from bnn2q.sim.encode32 import FirstLayer32
from bnn2q.sim.thresholds import ALWAYS, quantize
from bnn2q.sim.words import WordStream

from .nets import pm1

PATHS = ["never"] + (["always"] if packed.available() else [])
ACTS = {"rotation": ("rotation", 0.5, math.pi / 2), "ancilla-reset": ("ancilla-reset", 0.5, 1.2)}
SEED = 7


def dense784(seed=0):
    """Larq's first layer: real inputs, a ±1 kernel, batch-norm (scales of both signs)."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.05, 0.15, 48) * rng.choice([-1, 1], 48)
    return canonicalize(chain((784,), [Layer(Dense("d0", pm1(rng, (48, 784))), scale, rng.normal(0, 0.5, 48)),
                                       Layer(Dense("d1", pm1(rng, (16, 48))), rng.uniform(0.2, 0.5, 16)),
                                       Layer(Dense("out", pm1(rng, (4, 16))))]))


def conv_first(seed=1):
    """A real-kernel 3×3 'same' convolution of an 8×8×3 image, a 2×2 max-pool, batch-norm."""
    rng = np.random.default_rng(seed)
    conv = Conv2D("c0", rng.normal(0, 0.5, (3, 3, 3, 8)), in_shape=(8, 8, 3), padding=(1, 1, 1, 1))
    pool = MaxPool2D("p0", (8, 8, 8), (2, 2), (2, 2))
    scale = rng.uniform(0.3, 0.8, 8) * rng.choice([-1, 1], 8)
    return canonicalize(chain((8, 8, 3), [Layer(conv, scale, rng.normal(0, 0.5, 8), pool=pool),
                                          Layer(Dense("out", pm1(rng, (4, 128))))]))


def conv_first_large(seed=2):
    """BinaryAlexNet's first layer in small: an 11×11×3 stride-4 'same' convolution of a
    24×24×3 image (363 taps: the float32 sums by im2col + BLAS, ``conv32.GEMM_TAPS``), a 2×2
    max-pool, batch-norm."""
    rng = np.random.default_rng(seed)
    conv = Conv2D("c0", rng.normal(0, 0.5, (11, 11, 3, 8)), in_shape=(24, 24, 3), strides=(4, 4),
                  padding=(3, 4, 3, 4))
    pool = MaxPool2D("p0", (6, 6, 8), (2, 2), (2, 2))
    scale = rng.uniform(0.3, 0.8, 8) * rng.choice([-1, 1], 8)
    return canonicalize(chain((24, 24, 3), [Layer(conv, scale, rng.normal(0, 0.5, 8), pool=pool),
                                            Layer(Dense("out", pm1(rng, (4, 72))))]))


def reference_u(layer, x, q, e):
    """u₆₄ of elements e of samples q: products summed in a fixed order (inputs i = 0, 1, …;
    for a convolution kernel row, column, input channel), then max-pool and affine step."""
    x = np.asarray(x, np.float64)
    if isinstance(layer, FirstLayer32):
        z = np.cumsum(x[q] * layer.weight[e], axis=1)[:, -1]  # a sequential sum
        return z * layer.scale[e] + layer.offset[e]
    conv = layer.conv
    kh, kw, cin, cout = conv.kernel.shape
    oh, ow, _ = conv.shape_out
    (sh, sw), (pt, pb, pl, pr) = conv.strides, conv.padding
    img = np.pad(x[q].reshape((len(q),) + conv.in_shape), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    acc = np.zeros((len(q), oh, ow, cout))
    for a in range(kh):
        for b in range(kw):
            for c in range(cin):
                acc += img[:, a: a + sh * oh: sh, b: b + sw * ow: sw, c, None] * conv.kernel[a, b, c]
    pixel, channel = e // cout, e % cout
    flat = acc.reshape(len(q), oh * ow, cout)
    window = flat[np.arange(len(q))[:, None], layer.windows[pixel], channel[:, None]]
    return window.max(axis=1) * layer.scale[e] + layer.offset[e]


def first_layer(net):
    return FirstLayer32.match(net) or FirstConv32.match(net)


def layer_words(net, n, shots, first=0):
    width = net.hidden[0].width
    return WordStream(SEED, net.n_neurons).block(first, first + n, 0, shots, 0, width).reshape(n, shots, width)


def reference_bits(net, act, x, shots, first=0):
    """words < T(u₆₄), bool [n, shots, width]."""
    layer = first_layer(net)
    n, width = len(x), net.hidden[0].width
    q, e = np.repeat(np.arange(n), width), np.tile(np.arange(width), n)
    t = quantize(act.p_one(reference_u(layer, x, q, e), strict=net.hidden[0].strict)).reshape(n, 1, width)
    return layer_words(net, n, shots, first) < t


def crafted_elements(layer, n, width):
    """The element of each sample to put at a threshold and the inputs to move, flat indices
    [n, K], all by the same amount: for a convolution one channel over the union of the pool
    window's patches, so that each window pixel moves by the same Σ K[·, ·, 0, o] and u stays
    linear in the shift (elements whose patches the padding cuts are left out)."""
    if isinstance(layer, FirstLayer32):
        return np.arange(n) % width, np.zeros((n, 1), np.int64)
    conv = layer.conv
    h, w, cin = conv.in_shape
    oh, ow, cout = conv.shape_out
    kh, kw = conv.kernel.shape[:2]
    areas = {}
    for p, window in enumerate(layer.windows):
        rows = window // ow * conv.strides[0] - conv.padding[0]
        cols = window % ow * conv.strides[1] - conv.padding[2]
        if rows.min() >= 0 and cols.min() >= 0 and rows.max() + kh <= h and cols.max() + kw <= w:
            ii, jj = np.meshgrid(np.arange(rows.min(), rows.max() + kh), np.arange(cols.min(), cols.max() + kw))
            areas[p] = ((ii * w + jj) * cin).ravel()
    inner = np.array([p * cout + o for p in sorted(areas) for o in range(cout)])
    e = inner[np.arange(n) % len(inner)]
    return e, np.stack([areas[int(v) // cout] for v in e])


def at_thresholds(net, act, x, shots):
    """x with inputs of sample r moved so that its element (``crafted_elements``) sits at a
    threshold unit of the word of one of its shots: p(u₆₄) = (k + 3/4) / 2²⁴ (fires) or
    (k − 1/4) / 2²⁴ (does not), a fraction of a unit from where the outcome flips — far inside
    the float32 error. Returns the inputs, the elements and how many were placed."""
    layer = first_layer(net)
    n, width = len(x), net.hidden[0].width
    words = layer_words(net, n, shots)
    q = np.arange(n)
    e, moved = crafted_elements(layer, n, width)
    k = words[q, :, e]  # [n, shots]
    p_lo, p_hi = (float(v) for v in act.p_one(np.array([-np.inf, np.inf])))
    inside = (k > (p_lo + 0.02) * ALWAYS) & (k < (p_hi - 0.02) * ALWAYS)
    shot = np.argmax(inside, axis=1)
    target = (k[q, shot] + np.where(q % 2 == 0, 0.75, -0.25)) / ALWAYS
    x = np.array(x, np.float64)

    def gap(t):
        xt = x.copy()
        xt[q[:, None], moved] += t[:, None]
        return act.p_one(reference_u(layer, xt, q, e)) - target

    # A sign change of p(u(t)) − target on a grid of shifts t, then bisection.
    grid = np.linspace(-40, 40, 161)
    values = np.array([gap(np.full(n, t)) for t in grid])  # [grid, n]
    change = np.argmax(np.sign(values[:-1]) != np.sign(values[1:]), axis=0)
    lo_sign = np.sign(values[change, q])
    ok = inside.any(axis=1) & (lo_sign != np.sign(values[change + 1, q]))
    lo, hi = grid[change], grid[change + 1]
    for _ in range(80):
        mid = (lo + hi) / 2
        same = np.sign(gap(mid)) == lo_sign
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    x[q[ok, None], moved[ok]] += lo[ok, None]
    return x, e, int(ok.sum())


def simulate(net, act_args, x, shots, **kw):
    activation, tau, g = act_args
    return bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=SEED, **kw)


def spy(monkeypatch, owner, name):
    """Records the calls of ``owner.name`` (a list that grows by one per call)."""
    calls, real = [], getattr(owner, name)

    def recorded(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls


@pytest.fixture
def settled(monkeypatch):
    """Counts the (element, shot) pairs settled from u₆₄."""
    count = []
    real = brackets.settle

    def counting(values, law, q, e):
        count.append(len(q))
        return real(values, law, q, e)

    monkeypatch.setattr(brackets, "settle", counting)
    monkeypatch.setattr(measure, "settle", counting)
    return count


@pytest.mark.parametrize("mode", PATHS)
@pytest.mark.parametrize("act_name", sorted(ACTS))
@pytest.mark.parametrize("make", [dense784, conv_first, conv_first_large], ids=["dense784", "conv", "conv-gemm"])
def test_outcomes_are_words_below_the_fixed_order_thresholds(monkeypatch, settled, mode, act_name, make):
    if make is not dense784 and not packed.available():
        pytest.skip("the float32 convolution runs in numba")
    monkeypatch.setattr(packed, "MODE", mode)
    net, act_args, shots = make(), ACTS[act_name], 5
    act = activations.get(*act_args)
    layer = first_layer(net)
    assert layer is not None
    rng = np.random.default_rng(3)
    x, e, crafted = at_thresholds(net, act, rng.uniform(-1, 1, (64, net.n_inputs)), shots)
    assert crafted >= 48
    calls = spy(monkeypatch, type(layer), "bracket")
    got = simulate(net, act_args, x, shots).bits[0].view(np.bool_)
    assert calls, "the bracket path did not run"
    np.testing.assert_array_equal(got, reference_bits(net, act, x, shots))
    assert sum(settled) >= crafted  # every crafted pair was left open by its bracket
    # The float32 value alone would get some of the crafted outcomes wrong.
    q = np.arange(len(x))
    values = layer.bracket(x.reshape(len(x), -1))
    u32 = values.z[q, e] * layer.a32[e] + layer.c32[e]
    t32 = quantize(act.p_one(u32.astype(np.float64)))
    words = layer_words(net, len(x), shots)[q, :, e]
    assert np.count_nonzero((words < t32[:, None]) != got[q, :, e]) > 0


@pytest.mark.parametrize("mode", PATHS)
def test_a_sample_does_not_depend_on_the_samples_beside_it(monkeypatch, mode):
    """Blocks of any size, slices with their offset: the same outcomes as the reference."""
    monkeypatch.setattr(packed, "MODE", mode)
    net, act_args = dense784(), ACTS["rotation"]
    act = activations.get(*act_args)
    x = np.random.default_rng(5).uniform(0, 1, (40, 784))
    whole = simulate(net, act_args, x, 3)
    np.testing.assert_array_equal(whole.bits[0].view(np.bool_), reference_bits(net, act, x, 3))
    monkeypatch.setattr(sampler, "ENCODE_ELEMENTS", 3 * 784)
    monkeypatch.setattr(sampler, "BLOCK_ELEMENTS", 5 * 48)
    monkeypatch.setattr(sampler, "PACKED_BLOCK_ELEMENTS", 5 * 48)
    for lo, hi in [(0, 40), (0, 1), (7, 23), (39, 40)]:
        part = simulate(net, act_args, x[lo:hi], 3, first_sample=lo)
        for a, b in zip(part.bits, whole.bits, strict=True):
            np.testing.assert_array_equal(a, b[lo:hi])


@pytest.mark.skipif(not packed.available(), reason="numba does not import here")
def test_numba_and_numpy_give_the_same_fixed_order_values_and_brackets():
    net = dense784()
    layer = first_layer(net)
    x = np.random.default_rng(2).uniform(-1, 1, (30, 784))
    q, e = np.repeat(np.arange(30), 48), np.tile(np.arange(48), 30)
    want = reference_u(layer, x, q, e)
    np.testing.assert_array_equal(layer.exact(x, q, e, jit=False), want)
    np.testing.assert_array_equal(layer.exact(x, q, e, jit=True), want)
    conv = conv_first()
    cl = first_layer(conv)
    xc = np.random.default_rng(4).uniform(-1, 1, (6, conv.n_inputs))
    qc, ec = np.repeat(np.arange(6), 128), np.tile(np.arange(128), 6)
    np.testing.assert_array_equal(cl.exact(xc, qc, ec), reference_u(cl, xc, qc, ec))


@pytest.mark.skipif(not packed.available(), reason="the float32 convolution runs in numba")
@pytest.mark.parametrize("mode", PATHS)
@pytest.mark.parametrize("make", [conv_first, conv_first_large], ids=["direct", "gemm"])
def test_a_first_convolution_keeps_the_float64_signs_at_tau_zero(monkeypatch, mode, make):
    """τ = 0: the float32 convolution's signs — summed directly, or by BLAS in its own order —
    elements placed within 10⁻¹² of u = 0 included, are those of the float64 path's
    fixed-order sums (which ``reference_u`` restates)."""
    monkeypatch.setattr(packed, "MODE", mode)
    net = make()
    layer = first_layer(net)
    assert (layer.gemm is not None) == (make is conv_first_large)
    x = np.random.default_rng(6).uniform(-1, 1, (48, net.n_inputs))
    q = np.arange(len(x))
    e, moved = crafted_elements(layer, len(x), net.hidden[0].width)
    lo, hi = np.full(len(x), -40.0), np.full(len(x), 40.0)

    def u_at(t):
        xt = x.copy()
        xt[q[:, None], moved] += t[:, None]
        return reference_u(layer, xt, q, e)

    rising = u_at(hi) > u_at(lo)
    for _ in range(60):
        mid = (lo + hi) / 2
        up = (u_at(mid) > 0) == rising
        lo, hi = np.where(up, lo, mid), np.where(up, mid, hi)
    x[q[:, None], moved] += hi[:, None]
    assert np.median(np.abs(reference_u(layer, x, q, e))) < 1e-9
    calls = spy(monkeypatch, FirstConv32, "signs")
    got = bnn2q.simulate(net, x, shots=1).bits[0][:, 0]
    assert calls
    width = net.hidden[0].width
    want = reference_u(layer, x, np.repeat(q, width), np.tile(np.arange(width), len(x))) >= 0
    np.testing.assert_array_equal(got.view(np.bool_), want.reshape(len(x), width))
