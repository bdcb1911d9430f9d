"""The noisy built-in simulator samples what Aer samples with a device's noise model.

On FakeTorino (CZ) and FakeSherbrooke (ECR): the paper's three-hidden-layer network with
rotation, ancilla-reset and ancilla neurons, run by Aer with ``NoiseModel.from_backend`` (the
model ``AerSimulator.from_backend`` uses) on the ISA circuits the ``ibm`` target makes for the
device — a batch of samples in one job per layer, and one sample baked into its program —
matches ``bnn2q.simulate(noise=device)`` on every bit's frequency and on the joint frequencies
of consecutive layers (4.5 binomial standard errors; fixed seeds). The same shots reject the
noiseless simulator, so the comparison can tell noise from none."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.targets import execute
from bnn2q.targets.run import sample_bits

from .stats import mismatches
from .test_memory import three_hidden_layers

pytestmark = pytest.mark.xdist_group("ibm-devices")

SHOTS = 3000
REFERENCE_SHOTS = 200_000
#: τ small and g near π/2 put many probabilities near 0 and 1, where readout and gate errors
#: move them most in units of their standard error.
KNOBS = {"rotation": dict(quantumness=0.2), "ancilla-reset": dict(quantumness=0.2, g=1.3),
         "ancilla": dict(quantumness=0.2, g=1.3)}


@pytest.fixture(scope="module")
def paper_batch():
    net, x = three_hidden_layers()
    return net, np.stack([x, -x])


def per_sample(sim, i: int) -> np.ndarray:
    return np.concatenate([b[i] for b in sim.bits], axis=1)


@pytest.mark.parametrize("activation", list(KNOBS))
@pytest.mark.parametrize("device", ["fake_torino", "fake_sherbrooke"])
def test_noisy_simulator_matches_aer_with_the_device_noise(paper_batch, device, activation):
    net, xs = paper_batch
    knobs = KNOBS[activation]
    layout = bnn2q.compile(net, "qasm3", activation=activation, strategy="layerwise", **knobs).layout
    noisy = bnn2q.simulate(net, xs, activation=activation, shots=REFERENCE_SHOTS, seed=2, noise=device, **knobs)
    clean = bnn2q.simulate(net, xs, activation=activation, shots=REFERENCE_SHOTS, seed=2, **knobs)

    report = {}
    aer = execute(net, xs, backend=f"ibm:{device}", activation=activation, shots=SHOTS, seed=1, report=report,
                  **knobs)
    assert report["jobs"] == [1, 1, 1]  # the whole batch: one job per layer
    for i in range(len(xs)):
        assert mismatches(per_sample(aer, i), per_sample(noisy, i), layout) == [], f"sample {i}"
    assert any(mismatches(per_sample(aer, i), per_sample(clean, i), layout) for i in range(len(xs))), \
        "the noiseless simulator must be rejected"

    prog = bnn2q.compile(net, "ibm", activation=activation, inputs=xs[0], backend=device, **knobs)
    one = sample_bits(prog, f"ibm:{device}", SHOTS, seed=3)
    assert mismatches(one, per_sample(noisy, 0), layout) == []
    assert mismatches(one, per_sample(clean, 0), layout), "the noiseless simulator must be rejected"
