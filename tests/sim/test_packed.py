"""The bit-packed path (bnn2q.sim.packed) against the NumPy path and the reference.

Both paths draw the same words and compute the same thresholds in the same float32 steps, so
at the same seed their bits and logits must be equal — bit for bit, at the classical values
and elsewhere, with and without noise, for every activation. The integer kernels are checked
against integer matmuls and convolutions directly, on shapes that reach every kernel variant
(1, 2 and 4 words per chunk; padding, strides, banded im2col). Small shapes only: the point is
exactness, and numba compiles each kernel once per machine (cached on disk)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations, noise
from bnn2q.ir import Conv2D, Dense
from bnn2q.host.kernels import Kernels
from bnn2q.sim import packed, sampler, simulate_reference
from bnn2q.sim.packed.conv import conv2d

from .nets import NETS, dense_net, inputs
from .test_fast_path import mismatches

pytestmark = pytest.mark.skipif(not packed.available(), reason="numba does not import here")

REGIMES = [("rotation", 0.0, math.pi / 2), ("rotation", 0.7, math.pi / 2), ("ancilla-reset", 0.0, 1.2),
           ("ancilla-reset", 0.4, 1.2), ("ancilla", 0.0, 0.8), ("ancilla", 0.4, 1.2)]


def _run(mode, monkeypatch, net, x, **kwargs):
    monkeypatch.setattr(packed, "MODE", mode)
    return bnn2q.simulate(net, x, **kwargs)


@pytest.mark.parametrize("net_name", sorted(NETS))
@pytest.mark.parametrize("activation,tau,g", REGIMES)
@pytest.mark.parametrize("noisy", [False, True], ids=["ideal", "noisy"])
def test_packed_path_equals_numpy_path_bit_for_bit(monkeypatch, net_name, activation, tau, g, noisy):
    net = NETS[net_name]()
    x = inputs(net, 5)
    kwargs = dict(activation=activation, quantumness=tau, g=g, shots=200, seed=3)
    if noisy:
        kwargs["noise"] = noise.readout_flips(net, activations.get(activation, tau, g), 0.05, 0.1)
    want = _run("never", monkeypatch, net, x, **kwargs)
    got = _run("always", monkeypatch, net, x, **kwargs)
    for a, b in zip(got.bits, want.bits, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(got.logits, want.logits)


@pytest.mark.parametrize("net_name", sorted(NETS))
@pytest.mark.parametrize("activation,tau,g", [r for r in REGIMES if r[1] > 0])
def test_layers_without_tables_take_their_preactivation_from_the_packed_sums(monkeypatch, net_name, activation,
                                                                           tau, g):
    """Two samples × one shot: too few rows for any table at τ > 0, so each integer layer's u
    comes from its packed sums in one pass (``packed.preact``) — the NumPy path's float32
    values, so the same outcomes bit for bit."""
    from bnn2q.sim.plan import Plan

    net = NETS[net_name]()
    plan = Plan(net, 2)
    plan.build(activations.get(activation, tau, g), by_angle=activation == "ancilla", packed=True)
    integer = [k for k in range(len(net.hidden)) if k > 0 and k not in plan.fused]
    if net_name in ("dense", "pooled"):
        assert plan.preacts and set(plan.preacts) <= set(integer)
    x = inputs(net, 2)
    kwargs = dict(activation=activation, quantumness=tau, g=g, shots=1, seed=11)
    for seed in range(20):
        kwargs["seed"] = seed
        want = _run("never", monkeypatch, net, x, **kwargs)
        got = _run("always", monkeypatch, net, x, **kwargs)
        for a, b in zip(got.bits, want.bits, strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(got.logits, want.logits)


@pytest.mark.parametrize("net_name", ["conv", "real"])
@pytest.mark.parametrize("activation,tau,g", [("rotation", 0.7, math.pi / 2), ("ancilla-reset", 0.4, 1.2)])
def test_layers_without_tables_fire_from_brackets_and_settle_the_rest_exactly(monkeypatch, net_name, activation, tau,
                                                                             g):
    """A layer without a table reads its law in brackets of one grid step (``brackets.given``)
    and evaluates it only for the words inside one. On a grid 4096 times coarser many outcomes
    are settled that way, and every outcome is still the NumPy path's (p in float64 of the
    same float32 u)."""
    from bnn2q.sim import brackets, measure

    monkeypatch.setattr(brackets, "STEPS_PER_TAU", 1)
    settled, real = [], measure.settle
    monkeypatch.setattr(measure, "settle", lambda v, law, q, e: settled.append(len(q)) or real(v, law, q, e))
    net = NETS[net_name]()
    x = inputs(net, 2)  # 2 rows: no hidden layer takes a table
    brackets.LawTable.of.cache_clear()
    try:
        for seed in range(8):
            kwargs = dict(activation=activation, quantumness=tau, g=g, shots=1, seed=seed)
            want = _run("never", monkeypatch, net, x, **kwargs)
            got = _run("always", monkeypatch, net, x, **kwargs)
            for a, b in zip(got.bits, want.bits, strict=True):
                np.testing.assert_array_equal(a, b)
    finally:
        brackets.LawTable.of.cache_clear()
    assert sum(settled) > 20, settled


def test_packed_kernels_are_made_once_per_op_and_shared_safely_by_threads(monkeypatch):
    """A network simulated again reuses its packed kernels (``sim.derived``); their scratch
    (padded images, patches) is each call's own, so simulations in threads sharing the
    kernels give each its sequential result."""
    from concurrent.futures import ThreadPoolExecutor

    from bnn2q.sim.packed.linear import packed_linear

    net = NETS["conv"]()
    ops = [s.op for s in net.steps if isinstance(s.op, Conv2D) and s.op.kernel_kind == "binary"]
    assert ops and any(any(op.padding) for op in ops)
    assert all(packed_linear(op) is packed_linear(op) for op in ops)
    xs = [inputs(net, 300, seed=s) for s in range(4)]
    kwargs = dict(activation="rotation", quantumness=0.5, shots=40, seed=1)
    alone = [_run("always", monkeypatch, net, x, **kwargs) for x in xs]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda x: bnn2q.simulate(net, x, **kwargs), xs * 3))
    for got, want in zip(together, alone * 3):
        np.testing.assert_array_equal(got.logits, want.logits)


def test_rows_split_across_threads_give_the_same_outcomes(monkeypatch):
    from bnn2q.sim.packed import jit

    net = NETS["conv"]()
    x = inputs(net, 7)
    one = _run("always", monkeypatch, net, x, activation="ancilla", quantumness=0.4, g=1.0, shots=300, seed=5)
    monkeypatch.setattr(jit, "SPLIT_ELEMENTS", 0)
    monkeypatch.setattr(jit, "threads", lambda: 3)
    split = _run("always", monkeypatch, net, x, activation="ancilla", quantumness=0.4, g=1.0, shots=300, seed=5)
    for a, b in zip(one.bits, split.bits, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("activation,tau,g", [("rotation", 0.7, math.pi / 2), ("ancilla", 0.4, 1.2)])
def test_packed_dense_layers_have_the_reference_statistics(monkeypatch, activation, tau, g):
    """±1 dense layers through XNOR-popcount: the reference's frequencies and consecutive-layer
    joint frequencies, within binomial tolerances of 20,000 shots."""
    net = dense_net((70, 40, 30, 4))  # 70 inputs: two words per row
    x = inputs(net, 3)
    shots = 20_000
    got = _run("always", monkeypatch, net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=3)
    ref = simulate_reference(net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=4)
    assert mismatches(got, ref, shots, shots) == []


def test_the_packed_path_is_the_one_taken(monkeypatch):
    """Every ±1 layer reading bits runs packed: the fused layers' sums and the readout."""
    net = NETS["conv"]()
    seen = {}
    real_init = sampler._Sampler.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        seen["plan"], seen["packed"] = self.plan, self.packed

    monkeypatch.setattr(sampler._Sampler, "__init__", spy)
    _run("always", monkeypatch, net, inputs(net, 2), quantumness=0.5, shots=200)
    assert seen["packed"]
    assert sorted(seen["plan"].fused_linears) == sorted(seen["plan"].fused) == [1, 2]
    assert list(seen["plan"].linears) == [net.output]
    _run("never", monkeypatch, net, inputs(net, 2), quantumness=0.5, shots=200)
    assert not seen["packed"] and not seen["plan"].linears


def test_auto_mode_takes_the_packed_path_for_large_work_or_once_numba_is_loaded(monkeypatch):
    import sys

    monkeypatch.setattr(packed, "MODE", "auto")
    assert packed.wanted(packed.MIN_WORK)
    monkeypatch.delitem(sys.modules, "numba")
    assert not packed.wanted(packed.MIN_WORK - 1)
    assert packed.wanted(packed.MIN_WORK)
    monkeypatch.setattr(packed, "MODE", "never")
    assert not packed.wanted(10 * packed.MIN_WORK)


# ----------------------------------------------------------------------------- the kernels


def _spins(rng, shape):
    return rng.random(shape) < 0.5


@pytest.mark.parametrize("n_in", [1, 63, 64, 65, 128, 200, 300])
def test_dense_sums_are_exact(n_in):
    from bnn2q.sim.packed.layout import pack
    from bnn2q.sim.packed.linear import packed_linear

    rng = np.random.default_rng(n_in)
    for n_out, rows in [(1, 1), (5, 3), (37, 9), (8, 17)]:
        op = Dense("d", rng.choice([-1, 1], size=(n_out, n_in)))
        bits = _spins(rng, (rows, n_in))
        bits[0] = True  # |z| = n reached: an all-ones row against any kernel row
        lin = packed_linear(op)
        z = lin(pack(bits, lin.layout), np.empty((rows, n_out), np.int32))
        np.testing.assert_array_equal(z, (2 * bits.astype(np.int64) - 1) @ op.weight.T.astype(np.int64))


CONVS = [  # in_shape, kernel (kh, kw), strides, padding (top, bottom, left, right)
    ((5, 5, 3), (3, 3), (1, 1), (1, 1, 1, 1)),
    ((6, 7, 70), (2, 3), (2, 1), (0, 1, 1, 0)),
    ((4, 4, 130), (3, 3), (1, 2), (0, 0, 0, 0)),
    ((8, 8, 64), (5, 5), (1, 1), (2, 2, 2, 2)),
    ((9, 9, 2), (4, 4), (3, 3), (3, 0, 1, 2)),
]


@pytest.mark.parametrize("in_shape,kernel,strides,padding", CONVS)
@pytest.mark.parametrize("banded", [False, True], ids=["whole", "banded"])
def test_conv_sums_are_exact(monkeypatch, in_shape, kernel, strides, padding, banded):
    """Channel words per pixel, im2col of words, the border correction; ``banded`` makes one
    image's patches exceed the chunk, so output lines go in bands."""
    from bnn2q.sim.packed import linear
    from bnn2q.sim.packed.layout import pack

    if banded:
        monkeypatch.setattr(linear, "PATCH_WORDS", 50)
    rng = np.random.default_rng(7)
    op = Conv2D("c", rng.choice([-1, 1], size=kernel + (in_shape[2], 5)), in_shape=in_shape, strides=strides,
                padding=padding)
    bits = _spins(rng, (6,) + in_shape)
    want = Kernels().run(op, [2.0 * bits - 1], [in_shape], op.shape_out)
    lin = linear.packed_linear(op)
    z = lin(pack(bits.reshape(6, -1), lin.layout), np.empty((6, op.out_size), np.int32))
    np.testing.assert_array_equal(z.reshape(want.shape), want)


@pytest.mark.parametrize("groups,bits", [(1, 64), (1, 100), (3, 70), (4, 5), (2, 128)])
def test_packing_puts_bit_t_of_a_group_at_word_t_over_64(groups, bits):
    from bnn2q.sim.packed.layout import Layout, pack

    rng = np.random.default_rng(groups * bits)
    layout = Layout(groups, bits, -(-bits // 64), groups * -(-bits // 64) + 2)
    rows = _spins(rng, (5, groups * bits))
    words = pack(rows, layout)
    assert words.shape == (5, layout.row) and np.all(words[:, -2:] == 0)
    for p in range(groups):
        for t in range(bits):
            got = (words[:, p * layout.words + t // 64] >> np.uint64(t % 64)) & np.uint64(1)
            np.testing.assert_array_equal(got.astype(bool), rows[:, p * bits + t])


def test_the_generated_kernels_are_what_the_generator_writes():
    from bnn2q.sim.packed import generate

    assert generate.TARGET.read_text() == generate.source(), "run python -m bnn2q.sim.packed.generate"


def test_kernels_compile_uncached_where_nothing_is_writable(monkeypatch):
    """numba refuses cache=True at decoration when no cache location is writable."""
    from bnn2q.sim.packed import jit

    calls = []

    def fake_njit(**options):
        calls.append(options["cache"])
        if options["cache"]:
            raise RuntimeError("cannot cache function 'f': no locator available for file '...'")
        return lambda f: f

    monkeypatch.setattr(jit, "_njit", fake_njit)
    assert jit.njit(lambda: 1)() == 1 and calls == [True, False]


@pytest.mark.parametrize("in_shape,kernel,strides,padding", CONVS)
def test_direct_float64_conv_equals_im2col_and_ignores_its_neighbours(in_shape, kernel, strides, padding):
    """The encoder's float64 convolution (numba, fixed order): the im2col + BLAS result to
    rounding, and each row's sums the same whatever rows share the call."""
    rng = np.random.default_rng(3)
    op = Conv2D("c", rng.normal(size=kernel + (in_shape[2], 5)), in_shape=in_shape, strides=strides,
                padding=padding)
    x = rng.uniform(-1, 1, (7,) + in_shape)
    want = Kernels().run(op, [x], [in_shape], op.shape_out)
    direct = Kernels(direct_conv=conv2d)
    got = direct.run(op, [x], [in_shape], op.shape_out)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(direct.run(op, [x[3:5]], [in_shape], op.shape_out), got[3:5])
