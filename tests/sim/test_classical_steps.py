"""Classical work between measurements (SPEC §1): the simulator computes a core step that is not
affine — ReLU, PReLU, clips, max of reals, a computed scale, a multi-bit input encoder, a dilated
convolution — on the host once per shot, inside its blocks (NumPy and packed paths alike), with
the reference's statistics and, at the classical values, the source network's own outputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q.ir import Clip, Conv2D, Maximum, Minimum, Multiply, Quantize
from bnn2q.sim import packed, simulate_reference
from bnn2q.host.kernels import Kernels

from .classical_nets import CLASSICAL_NETS, relu_mlp
from .nets import inputs
from .test_fast_path import CLASSICAL, mismatches

QUANTUM = [("rotation", 0.7, math.pi / 2), ("ancilla-reset", 0.4, 1.2), ("ancilla", 0.4, 1.2)]


@pytest.mark.parametrize("net_name", sorted(CLASSICAL_NETS))
@pytest.mark.parametrize("activation,tau,g", CLASSICAL)
def test_equals_reference_exactly_at_classical_values(net_name, activation, tau, g):
    net = CLASSICAL_NETS[net_name]()
    x = inputs(net, 40)
    fast = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=3, seed=1)
    ref = simulate_reference(net, x, activation=activation, quantumness=tau, g=g, shots=3, seed=2)
    for got, want in zip(fast.bits, ref.bits, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(fast.logits, ref.logits, rtol=1e-12, atol=1e-12)


def _forward(x):
    """relu_mlp's classical forward pass written out with NumPy alone."""
    net = relu_mlp()
    ops = {s.op.name: s.op for s in net.steps}
    sign = lambda v: np.where(v >= 0, 1.0, -1.0)  # noqa: E731
    xq = np.clip(np.round(x / 0.125), -8, 7) * 0.125
    y0 = sign(xq @ ops["d0"].weight.T)
    bn1, bn2, bn3 = (ops[n] for n in ("bn1", "bn2", "bn3"))
    r1 = np.maximum(y0 @ ops["d1"].weight.T * bn1.scale + bn1.offset, 0)
    y2 = sign(r1 @ ops["d2"].weight.T * bn2.scale + bn2.offset)
    y3 = sign(np.clip(y2 @ ops["d3"].weight.T * bn3.scale + bn3.offset, -1, 1))
    return y3 @ ops["head"].weight.T


def test_classical_limit_is_the_network_written_out():
    net = relu_mlp()
    x = inputs(net, 200) * 2
    sim = bnn2q.simulate(net, x, shots=1)
    np.testing.assert_allclose(sim.logits[:, 0], _forward(x), rtol=1e-12, atol=1e-12)
    assert len(set(sim.predictions.tolist())) > 1


@pytest.mark.parametrize("net_name", sorted(CLASSICAL_NETS))
@pytest.mark.parametrize("activation,tau,g", QUANTUM)
def test_same_statistics_as_reference(monkeypatch, net_name, activation, tau, g):
    monkeypatch.setattr(packed, "MODE", "never")  # the same path whichever tests loaded numba before
    net = CLASSICAL_NETS[net_name]()
    x = inputs(net, 2)
    shots = 20_000
    fast = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=5)
    ref = simulate_reference(net, x, activation=activation, quantumness=tau, g=g, shots=shots, seed=6)
    assert mismatches(fast, ref, shots, shots) == []
    assert np.ptp(fast.bits[-1].mean(axis=1)) > 0.1, "the deepest layer should be random here"


@pytest.mark.skipif(not packed.available(), reason="numba does not import here")
@pytest.mark.parametrize("net_name", sorted(CLASSICAL_NETS))
@pytest.mark.parametrize("activation,tau,g", QUANTUM[:2])
def test_packed_path_equals_numpy_path_bit_for_bit(monkeypatch, net_name, activation, tau, g):
    net = CLASSICAL_NETS[net_name]()
    x = inputs(net, 4)
    results = []
    for mode in ("never", "always"):
        monkeypatch.setattr(packed, "MODE", mode)
        results.append(bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=300, seed=3))
    for a, b in zip(results[0].bits, results[1].bits, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(results[0].logits, results[1].logits)


def test_elementwise_ops_broadcast_channels_last():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4, 4, 5))  # samples, shots, h, w, c
    gate = rng.normal(size=(2, 1, 1, 1, 5))  # one per sample and channel
    k = Kernels()
    for op, want in ((Multiply("m"), x * gate), (Maximum("M"), np.maximum(x, gate)),
                     (Minimum("n"), np.minimum(x, gate))):
        got = k.run(op, [x, gate], [(4, 4, 5), (1, 1, 5)], (4, 4, 5))
        np.testing.assert_array_equal(got, want)
    flat_gate = gate.reshape(2, 1, 5)  # a (C,) value lines up with the channels
    np.testing.assert_array_equal(k.run(Multiply("m"), [x, flat_gate], [(4, 4, 5), (5,)], (4, 4, 5)), x * gate)
    low, high = rng.normal(size=5) - 1, rng.normal(size=5) + 1
    np.testing.assert_array_equal(k.run(Clip("c", low, high), [x], [(4, 4, 5)], (4, 4, 5)), np.clip(x, low, high))


def test_quantizer_rounds_half_to_even_and_clips_to_its_levels():
    op = Quantize("q", np.array(0.5), np.array(1.0), 0, 3)  # levels 0..3 → values −0.5, 0, 0.5, 1
    x = np.array([[-3.0, -0.25, -0.24, 0.25, 0.75, 0.76, 9.0]])
    got = Kernels().run(op, [x], [(7,)], (7,))
    np.testing.assert_array_equal(got, [[-0.5, -0.5, 0.0, 0.5, 0.5, 1.0, 1.0]])  # 2.5 rounds to 2
    assert op.bits == 2 and op.describe() == "a 2-bit quantizer (4 levels)"
    assert Quantize("r", np.array(1.0), np.array(0.0), -np.inf, np.inf).bits is None


@pytest.mark.parametrize("dilation,strides,padding", [((2, 2), (1, 1), (2, 2, 2, 2)), ((3, 2), (2, 1), (1, 0, 2, 1)),
                                                      ((1, 4), (1, 2), (0, 0, 0, 0))])
def test_dilated_convolution_is_the_zero_filled_kernel(dilation, strides, padding):
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(3, 2, 4, 6))
    op = Conv2D("c", kernel, (9, 10, 8), strides, padding, groups=2, dilation=dilation)
    spread = np.zeros(((3 - 1) * dilation[0] + 1, (2 - 1) * dilation[1] + 1, 4, 6))
    spread[:: dilation[0], :: dilation[1]] = kernel
    plain = Conv2D("p", spread, (9, 10, 8), strides, padding, groups=2)
    assert op.shape_out == plain.shape_out
    np.testing.assert_array_equal(op.matrix(), plain.matrix())
    x = rng.normal(size=(3,) + op.in_shape)
    got = Kernels().run(op, [x], [op.in_shape], op.shape_out)
    np.testing.assert_allclose(got, (x.reshape(3, -1) @ op.matrix().T).reshape(got.shape), rtol=1e-12, atol=1e-12)
