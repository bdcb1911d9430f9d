"""larq-zoo's QuickNetSmall (32×32×3; 18,432 neurons in 16 hidden layers, ReLUs and a real
residual stream between them) compiled layerwise for IBM and run on qiskit-aer at τ = 0.5 for
one input: every neuron's firing count over Aer's shots passes an exact binomial test against
the simulator's rate (family-wise level 10⁻³ over all neurons; the rate smoothed by half a count,
since 20,000 reference shots cannot tell 1 from 1 − 10⁻⁵), and over the neurons that are random
the squared z-scores average about 1 (a wrong angle anywhere in the host's work between
layers moves thousands of them by several standard errors)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

import bnn2q
from bnn2q.targets.run import sample_bits

pytestmark = pytest.mark.xdist_group("larq-models")

SHOTS, REFERENCE_SHOTS = 100, 20_000


def test_quicknet_small_on_aer_has_the_simulators_firing_rates():
    from tests.frontends.zoo import build

    model, x = build("QuickNetSmall")
    net = bnn2q.load(model)
    prog = bnn2q.compile(net, target="ibm", quantumness=0.5, inputs=x[0], max_qubits=8)
    assert prog.strategy == "layerwise" and len(prog.circuits) == len(net.hidden) == 16
    bits = sample_bits(prog, "aer", SHOTS, seed=1)
    sim = bnn2q.simulate(net, x[0], quantumness=0.5, shots=REFERENCE_SHOTS, seed=2)
    ones = np.concatenate([b[0] for b in sim.bits], axis=1).sum(axis=0)
    p = (ones + 0.5) / (REFERENCE_SHOTS + 1.0)
    count = bits.sum(axis=0).astype(np.int64)
    tail = np.minimum(1.0, 2 * np.minimum(binom.cdf(count, SHOTS, p), binom.sf(count - 1, SHOTS, p)))
    assert tail.min() >= 1e-3 / len(p), (int(np.argmin(tail)), count[np.argmin(tail)], p[np.argmin(tail)])
    random = (p > 0.05) & (p < 0.95)
    assert random.sum() > 1000, "τ = 0.5 must leave many neurons random"
    z2 = (count[random] / SHOTS - p[random]) ** 2 / (p[random] * (1 - p[random]) * (1 / SHOTS + 1 / REFERENCE_SHOTS))
    assert 0.7 < z2.mean() < 1.4, z2.mean()
