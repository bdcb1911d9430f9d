"""A device described by hand (``bnn2q-noise/1``): the closed form of a rotation neuron, the
fold against Aer running the spec's own noise model (relaxation during measurement, reset
errors on reused qubits), the command line, and one-line errors for bad specs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import bnn2q
from bnn2q import activations
from bnn2q.errors import InputError
from bnn2q.targets.ibm.noise import DeviceNoise, load
from bnn2q.targets.ibm.noise.fold import fold_circuit

from ..targets.conftest import TINY_INPUT, tiny_network

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "noise-spec-example.json"


def spec(**defaults) -> dict:
    return {"format": "bnn2q-noise/1", "num_qubits": 3, "defaults": defaults}


def test_rotation_neuron_closed_form():
    """sx with depolarizing λ and T1/T2 over t, readout p01/p10, no measurement relaxation:
    α = p01 + c E1/2, β = −c (1 − λ)² E1 E2/2, γ = 0 with c = 1 − p01 − p10."""
    t1, t2, t, lam, p01, p10 = 100e-6, 80e-6, 50e-9, 0.004, 0.02, 0.05
    noise = DeviceNoise.from_spec(spec(t1_us=100, t2_us=80, readout={"p01": p01, "p10": p10},
                                       sx={"depol": lam, "time_ns": 50}))
    (layer, _) = noise.neuron_noise(tiny_network(), activations.get("rotation", 0.5))
    e1, e2, c = math.exp(-t / t1), math.exp(-t / t2), 1 - p01 - p10
    np.testing.assert_allclose(layer.alpha, p01 + c * e1 / 2, atol=1e-12)
    np.testing.assert_allclose(layer.beta, -c * (1 - lam) ** 2 * e1 * e2 / 2, atol=1e-12)
    np.testing.assert_allclose(layer.gamma, 0.0, atol=1e-12)


def test_measurement_relaxation_and_reset_error_match_aer():
    """One reused qubit: every neuron after the first starts from a reset that leaves |1⟩ with
    probability 0.05, and each measurement first relaxes the qubit for 40 µs. Aer running the
    spec's noise model agrees with the fold on every bit (the same model without those errors
    does not)."""
    from qiskit_aer.primitives import SamplerV2

    s = spec(t1_us=60, t2_us=60, readout={"p01": 0.01, "p10": 0.03}, sx={"error": 1e-3, "time_ns": 40},
             measure={"time_ns": 40_000}, reset={"error": 0.05, "time_ns": 1000})
    noise = DeviceNoise.from_spec(s, max_qubits=1)
    prog = bnn2q.compile(tiny_network(), "ibm", activation="rotation", backend=noise, max_qubits=1)
    isa = prog.isa[0]
    assert isa.count_ops()["reset"] == 2
    thetas = np.array([0.3, 2.0, math.pi])
    shots = 40_000
    result = SamplerV2(seed=3, options={"backend_options": {"noise_model": noise.noise_model}}).run(
        [(isa, thetas, shots)]).result()[0]
    freq = result.data.m.to_bool_array(order="little").reshape(shots, -1).mean(axis=0)
    for folds, label in ((fold_circuit(isa, noise.noise_model), "spec"),
                         (fold_circuit(isa, DeviceNoise.from_spec(spec(t1_us=60, t2_us=60, readout={
                             "p01": 0.01, "p10": 0.03}, sx={"error": 1e-3, "time_ns": 40})).noise_model), "plain")):
        p = np.array([f.alpha + f.beta * math.cos(thetas[f.bit]) + f.gamma * math.sin(thetas[f.bit]) for f in folds])
        z = np.abs(freq - p) / np.sqrt(p * (1 - p) / shots)
        if label == "spec":
            assert z.max() < 4.5, z
        else:
            assert z.max() > 10, z


def test_example_spec_runs_from_the_command_line(small_model, tmp_path, capsys):
    from bnn2q.cli import run as main

    model = tmp_path / "m.h5"
    small_model.save(model)
    assert main(["run", str(model), "--dataset", "digits", "--samples", "20", "--shots", "50", "--quantumness",
                 "0.5", "--noise", str(EXAMPLE), "--max-qubits", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["noise"] == str(EXAMPLE) and 0 <= out["accuracy"] <= 1
    # Four slots on the four cheapest qubits (identical ones: the defaults); neurons 4 and 5
    # reuse slots 0 and 1 after a reset, which leaves |1⟩ with probability e = 0.005: from |1⟩
    # R_y(θ) gives the mirrored law, so the contrast β shrinks by the factor 1 − 2e.
    noise = load(EXAMPLE, max_qubits=4)
    beta = noise.neuron_noise(bnn2q.load(model), activations.get("rotation", 0.5))[0].beta
    assert np.ptp(beta[:4]) == 0 and beta[4] == beta[5] and beta[4] == pytest.approx((1 - 2 * 0.005) * beta[0], rel=1e-3)
    sim = bnn2q.simulate(tiny_network(), TINY_INPUT, quantumness=0.5, shots=10, noise=EXAMPLE)
    assert sim.bits[0].shape == (1, 10, 3)


@pytest.mark.parametrize("change,match", [
    ({"format": "other"}, r'"format": "bnn2q-noise/1"'),
    ({"num_qubits": 0}, r'"num_qubits" must be a positive integer'),
    ({"two_qubit_gate": "iswap"}, r'"two_qubit_gate" must be one of cz, ecr, cx'),
    ({"defaults": {"t3_us": 5}}, r"unknown field\(s\) \['t3_us'\] in defaults"),
    ({"qubits": {"7": {}}}, r"qubit '7' in qubits is not in 0..2"),
    ({"coupling": [[0, 1]], "pairs": {"1,2": {"cz": {"error": 0.01}}}}, r"pair '1,2' is not a coupler"),
    ({"defaults": {"readout": {"p01": 1.5}}}, r"readout of qubit 0 must have p01, p10 in \[0, 1\]"),
])
def test_bad_specs_are_one_line(change, match):
    s = {**spec(), **change}
    with pytest.raises(InputError, match=match):
        DeviceNoise.from_spec(s).neuron_noise(tiny_network(), activations.get("rotation", 0.5))
