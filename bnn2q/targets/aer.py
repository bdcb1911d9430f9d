"""Run Qiskit circuits on qiskit-aer, batched as parameter bindings."""

from __future__ import annotations

import numpy as np

#: Above this many qubits use the matrix-product-state method: bnn2q layers are products of
#: single-qubit (or neuron/ancilla pair) states, which MPS holds in linear memory.
STATEVECTOR_QUBITS = 20


def sample_bindings(qc, rows: np.ndarray, counts: np.ndarray, seed) -> list[np.ndarray]:
    """For each angle vector rows[i], ``counts[i]`` shots of ``qc``; uint8 [counts[i], n_bits].

    Rows that share a shot count share one sampler run (one circuit, many bindings)."""
    from qiskit_aer.primitives import SamplerV2

    options = {}
    if qc.num_qubits > STATEVECTOR_QUBITS:
        options = {"backend_options": {"method": "matrix_product_state"}}
    groups = [np.flatnonzero(counts == c) for c in np.unique(counts)]
    # One run per shot count, each with its own seed: Aer seeds the bindings of a run
    # from one value, so two runs on the same seed would share their random draws.
    seeds = np.random.SeedSequence(seed).generate_state(len(groups))
    out: list = [None] * len(rows)
    for idx, group_seed in zip(groups, seeds):
        values = rows[idx] if qc.num_parameters else None
        sampler = SamplerV2(seed=int(group_seed), options=options)
        result = sampler.run([(qc, values, int(counts[idx[0]]))]).result()[0]
        # BitArray [bindings, shots, n_bits]; little order puts m[0] at column 0.
        bits = result.data.m.to_bool_array(order="little").astype(np.uint8)
        bits = bits.reshape(-1, bits.shape[-2], bits.shape[-1])
        for k, i in enumerate(idx):
            out[i] = bits[k] if qc.num_parameters else bits[0]
    return out
