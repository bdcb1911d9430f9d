"""The fold of a device noise model into each neuron is exact: it equals qiskit-aer's own
density-matrix evolution of the same ISA circuit (readout applied to its probabilities), and
for a rotation neuron the closed form of sx · rz(θ + π) · sx under depolarizing + T1/T2."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bnn2q
from bnn2q.targets.ibm.noise import load as load_noise
from bnn2q.targets.ibm.noise.fold import fold_circuit, restricted

from ..targets.conftest import tiny_network

pytestmark = pytest.mark.xdist_group("ibm-devices")

ANGLES = (0.0, 0.7, math.pi / 2, 2.4, math.pi)


def aer_p_one(isa, noise_model, thetas) -> np.ndarray:
    """P(m[b] = 1) [angle, bit] from Aer's density matrix before the measurements (the circuit
    measures each qubit once, at its end), the qubit's readout confusion applied."""
    from qiskit_aer import AerSimulator

    qc = isa.copy_empty_like()
    measured = {}
    for ci in isa.data:
        if ci.operation.name == "measure":
            measured[isa.find_bit(ci.clbits[0]).index] = ci.qubits[0]
        else:
            qc.append(ci)
    for bit, qubit in measured.items():
        qc.save_probabilities([qubit], label=f"m{bit}")
    sim = AerSimulator(method="density_matrix", noise_model=restricted(noise_model, _active(isa)))
    binds = [{p: [float(t) for t in thetas] for p in qc.parameters}]
    results = sim.run(qc, shots=1, parameter_binds=binds).result()
    out = np.zeros((len(thetas), len(measured)))
    for i in range(len(thetas)):
        data = results.data(i)
        for bit, qubit in measured.items():
            confusion = np.asarray(noise_model._local_readout_errors[(isa.find_bit(qubit).index,)].probabilities)
            out[i, bit] = data[f"m{bit}"] @ confusion[:, 1]
    return out


def _active(isa):
    return {isa.find_bit(q).index for ci in isa.data for q in ci.qubits}


@pytest.mark.parametrize("device", ["fake_torino", "fake_sherbrooke"])
@pytest.mark.parametrize("activation", ["rotation", "ancilla-reset"])
def test_fold_equals_aer_density_matrix(device, activation):
    noise = load_noise(device)
    prog = bnn2q.compile(tiny_network(), "ibm", activation=activation, g=1.0, backend=noise)
    isa = prog.isa[0]
    folds = fold_circuit(isa, noise.noise_model)
    exact = aer_p_one(isa, noise.noise_model, ANGLES)
    for i, theta in enumerate(ANGLES):
        for f in folds:
            folded = f.alpha + f.beta * math.cos(theta) + f.gamma * math.sin(theta)
            assert folded == pytest.approx(exact[i, f.bit], abs=1e-9)


def test_rotation_closed_form():
    """α = p01 + c E1/2, β = −c (1 − λ)² E1 E2 / 2, γ = 0 (c = 1 − p01 − p10, λ the sx
    depolarizing parameter, E1 = e^(−t/T1), E2 = e^(−t/T2) over the sx duration t)."""
    from qiskit.quantum_info import average_gate_fidelity
    from qiskit_aer.noise import thermal_relaxation_error

    noise = load_noise("fake_torino")
    prog = bnn2q.compile(tiny_network(), "ibm", activation="rotation", backend=noise)
    target = noise.target
    for f in fold_circuit(prog.isa[0], noise.noise_model):
        (q,) = f.qubits
        t1, t2 = target.qubit_properties[q].t1, min(target.qubit_properties[q].t2, 2 * target.qubit_properties[q].t1)
        sx = target["sx"][(q,)]
        relax_fid = average_gate_fidelity(thermal_relaxation_error(t1, t2, sx.duration))
        lam = 2 * (sx.error - (1 - relax_fid)) / (2 * relax_fid - 1)
        e1, e2 = math.exp(-sx.duration / t1), math.exp(-sx.duration / t2)
        p = target["measure"][(q,)].error
        c = 1 - 2 * p
        assert f.alpha == pytest.approx(p + c * e1 / 2, abs=1e-12)
        assert f.beta == pytest.approx(-c * (1 - lam) ** 2 * e1 * e2 / 2, abs=1e-12)
        assert f.gamma == pytest.approx(0.0, abs=1e-12)


def test_restricted_model_draws_what_the_full_model_draws():
    """Aer with the model restricted to a circuit's qubits samples the very same bits."""
    from qiskit_aer import AerSimulator

    noise = load_noise("fake_torino")
    prog = bnn2q.compile(tiny_network(), "ibm", activation="ancilla-reset", g=1.0, backend=noise)
    qc = prog.isa[0].assign_parameters([0.4, 1.9, 2.8])
    full = AerSimulator(noise_model=noise.noise_model).run(qc, shots=300, seed_simulator=5, memory=True)
    part = AerSimulator(noise_model=restricted(noise.noise_model, _active(qc))).run(
        qc, shots=300, seed_simulator=5, memory=True)
    assert full.result().get_memory() == part.result().get_memory()
