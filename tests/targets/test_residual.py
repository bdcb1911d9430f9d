"""A residual network compiled: real-valued shortcuts between sign layers (linear glue), the
stem's output added into later layers. Layerwise for IBM (the host computes the glue), dynamic
for Braket's local simulator (fixed-point feed-forward of the glue, the sample baked in)."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import TargetError
from bnn2q.targets.run import sample_bits
from tests.sim.nets import inputs, residual_net

from .stats import mismatches

KNOBS = dict(activation="rotation", quantumness=0.7)


@pytest.fixture(scope="module")
def residual():
    net = residual_net()
    return net, inputs(net, 1, seed=8)[0]


def _reference(net, x):
    sim = bnn2q.simulate(net, x, shots=200_000, seed=3, **KNOBS)
    return np.concatenate([b[0] for b in sim.bits], axis=1)


@pytest.mark.parametrize("target,backend,shots,options", [
    ("braket", "braket-local", 1500, dict(max_qubits=2, tolerance=0.005)),
    ("ibm", "aer", 4000, dict()),
])
def test_residual_program_matches_the_simulator(residual, target, backend, shots, options):
    net, x = residual
    prog = bnn2q.compile(net, target=target, inputs=x, **KNOBS, **options)
    assert prog.strategy == ("dynamic" if target == "braket" else "layerwise")
    if target == "braket":
        assert prog.resources["max_probability_error"] <= 0.005
    bits = sample_bits(prog, backend, shots, seed=5)
    assert mismatches(bits, _reference(net, x), prog.layout) == []


def test_dynamic_residual_program_needs_the_sample(residual):
    net, _ = residual
    with pytest.raises(TargetError, match=r"reads the input as well as measured bits .* compile with the sample baked in"):
        bnn2q.compile(net, target="braket", strategy="dynamic", **KNOBS)
