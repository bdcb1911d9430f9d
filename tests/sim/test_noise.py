"""Noise folded into each neuron (bnn2q.noise): the noiseless coefficients reproduce the
activation, readout flips act as the closed form says, and the fast sampler has the reference's
statistics with noise on."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q import activations, noise
from bnn2q.errors import InputError
from bnn2q.sim import simulate_reference
from bnn2q.host.forward import HostPass

from .nets import dense_net, inputs, real_net
from .test_fast_path import mismatches

KNOBS = [("rotation", 0.5, math.pi / 2), ("rotation", 0.0, math.pi / 2), ("ancilla-reset", 0.3, 0.8),
         ("ancilla", 0.3, 0.8)]


@pytest.mark.parametrize("activation,tau,g", KNOBS)
def test_noiseless_coefficients_are_the_activation(activation, tau, g):
    net = real_net((12, 6, 6, 6, 4))
    x = inputs(net, 3)
    act = activations.get(activation, tau, g)
    plain = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=20_000, seed=1)
    folded = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=20_000, seed=2,
                            noise=noise.ideal(net, act))
    assert mismatches(plain, folded, 20_000, 20_000) == []


@pytest.mark.parametrize("activation,tau,g", KNOBS)
def test_noisy_fast_sampler_matches_the_reference(activation, tau, g):
    net = real_net((12, 6, 6, 6, 4))
    x = inputs(net, 3)
    flips = noise.readout_flips(net, activations.get(activation, tau, g), 0.05, 0.1)
    fast = bnn2q.simulate(net, x, activation=activation, quantumness=tau, g=g, shots=20_000, seed=3, noise=flips)
    ref = simulate_reference(net, x, activation=activation, quantumness=tau, g=g, shots=20_000, seed=4, noise=flips)
    assert mismatches(fast, ref, 20_000, 20_000) == []


def test_readout_flips_on_the_first_layer_follow_the_closed_form():
    net = dense_net()
    x = inputs(net, 2)
    act = activations.get("rotation", 0.0)
    shots = 40_000
    sim = bnn2q.simulate(net, x, shots=shots, seed=5, noise=noise.readout_flips(net, act, 0.05, 0.1))
    fired = HostPass(net, x).preactivation(0) >= 0
    p = np.where(fired, 0.9, 0.05)
    assert np.all(np.abs(sim.bits[0].mean(axis=1) - p) <= 4.5 * np.sqrt(p * (1 - p) / shots))


def test_noise_of_the_wrong_shape_is_refused():
    net = dense_net()
    with pytest.raises(InputError, match="one NeuronNoise per hidden layer"):
        bnn2q.simulate(net, inputs(net, 1), quantumness=0.5, noise=noise.ideal(net, activations.get("rotation"))[:1])
