"""(1) The simulator against Braket's local simulator and qiskit-aer on the same program.

Each peer runs the network compiled for one sample (``bnn2q.compile(..., inputs=x)``, one
qubit reused for every neuron, the fastest for state-vector simulators) for a few shots; the
simulator samples the same sample for many shots. Per-shot times are compared, and the
peer's frequency f of every bit of m is checked against the simulator's p (100,000 shots):
``bits_off`` counts bits with |f − p| > 5 √(p(1−p)/S) + 1/S (S the peer's shots; the tests'
tolerance), ``max_abs_z`` is max |f − p| / √(p(1−p)/S) — meaningful only for S in the hundreds."""

from __future__ import annotations

import numpy as np

import bnn2q
from bench.measure import best_of, peak_memory
from bench.networks import DIGITS, FASHION, name, random_inputs, random_network

QUANTUMNESS = 0.5
#: (network, {backend: shots}) — peers get as many shots as a few minutes allow.
CASES = [
    (DIGITS, {"braket-local": 10, "aer": 1000}),
    (FASHION, {"braket-local": 1, "aer": 20}),
]
QUICK_CASES = [(DIGITS, {"braket-local": 3, "aer": 200})]
SIM_SHOTS = 100_000
PEER_TIMEOUT_S = 600


def peers(quick: bool) -> list[dict]:
    rows = []
    for sizes, shots_by_backend in QUICK_CASES if quick else CASES:
        net = random_network(sizes)
        x = random_inputs(1, sizes[0])
        run = lambda: bnn2q.simulate(net, x, quantumness=QUANTUMNESS, shots=SIM_SHOTS, seed=0)  # noqa: E731
        sim_per_shot = best_of({"sim": run}, 3)["sim"] / SIM_SHOTS
        p_sim = np.concatenate([b[0].mean(axis=0) for b in run().bits])
        for backend, shots in shots_by_backend.items():
            m = peak_memory("peer", timeout=PEER_TIMEOUT_S, sizes=sizes, backend=backend, shots=shots,
                            quantumness=QUANTUMNESS)
            row = {"network": name(sizes), "backend": backend, "shots": shots}
            if m is None:  # the timeout (compile + run) bounds the time per shot from below
                bound = PEER_TIMEOUT_S / shots
                row.update(peer_s_per_shot=bound, bnn2q_s_per_shot=sim_per_shot, speedup=bound / sim_per_shot,
                           note=f"compile + run > {PEER_TIMEOUT_S} s (timed out): lower bounds")
                rows.append(row)
                continue
            if "error" in m:
                row.update(note=f"failed: {m['error']}")
                rows.append(row)
                continue
            per_shot = m["run_s"] / shots
            row.update({
                "strategy": m["strategy"], "compile_s": m["compile_s"], "peer_s_per_shot": per_shot,
                "bnn2q_s_per_shot": sim_per_shot, "speedup": per_shot / sim_per_shot,
                **_agreement(np.array(m["freq"]), shots, p_sim),
                "peer_peak_rss_mib": m["peak_rss_mib"], "note": "",
            })
            rows.append(row)
    return rows


def _agreement(f_peer, shots, p_sim) -> dict:
    se = np.sqrt(p_sim * (1 - p_sim) / shots)
    off = np.abs(f_peer - p_sim) > 5 * se + 1.0 / shots
    z = np.abs(f_peer - p_sim) / np.maximum(se, 1e-12)
    return {"bits": len(p_sim), "bits_off": int(off.sum()),
            "max_abs_z": float(z[se > 0].max()) if shots >= 100 else None}
