"""(3) Compile time and emitted OpenQASM 3 size against network size, τ and pruning, and
qubits against depth under ``max_qubits``.

The program holds the weights between hidden layers (``program_weights``): the first layer's
angles come from the host (bound per sample) and the logits are read out on the host."""

from __future__ import annotations

import time

import bnn2q
from bench.networks import dense_weights, DIGITS, FASHION, name, random_network

SIZES = [DIGITS, (784, 64, 64, 10), (784, 128, 128, 10), FASHION]
#: (τ, pruning tolerance in radians)
SETTINGS = [(0.0, 0.0), (0.5, 0.0), (0.5, 1e-3)]
BUDGETS = [None, 64, 8, 1]
#: The paper's network with real weights: fixed-point feed-forward (τ = 0: one threshold per
#: neuron; τ > 0: an angle grid, which needs a tolerance).
PAPER = (784, 512, 512, 10)
PAPER_SETTINGS = [(0.0, 0.0), (0.5, 0.01)]


def compile_sizes(quick: bool) -> list[dict]:
    bnn2q.compile(random_network((4, 3, 3, 2)), target="qasm3", quantumness=0.5)  # first-call imports
    rows = []
    for sizes in SIZES[:2] if quick else SIZES:
        net = random_network(sizes)
        weights = sum(w.size for w in dense_weights(net)[1:-1])
        for tau, tol in SETTINGS:
            rows.append(_row(net, sizes, weights, tau, tol, None))
    for budget in BUDGETS:
        rows.append(_row(random_network(DIGITS), DIGITS, None, 0.5, 0.0, budget))
    real = random_network(PAPER, real=True)
    for tau, tol in PAPER_SETTINGS:
        rows.append(_row(real, PAPER, sum(w.size for w in dense_weights(real)[1:-1]), tau, tol, None, "real"))
    return rows


def _row(net, sizes, weights, tau, tol, budget, kernel="binary") -> dict:
    start = time.perf_counter()
    prog = bnn2q.compile(net, target="qasm3", quantumness=tau, tolerance=tol, max_qubits=budget)
    seconds = time.perf_counter() - start
    r = prog.resources
    fed = [layer for layer in net.hidden[1:]]
    return {
        "network": name(sizes), "kernel": kernel, "program_weights": weights, "tau": tau, "prune_tol": tol,
        "max_qubits": budget, "compile_s": seconds, "qasm_chars": len(prog.qasm),
        "chars_per_weight": len(prog.qasm) / weights if weights else None,
        "qubits": r.get("qubits"), "depth": r.get("depth"), "conditionals": r.get("conditionals"),
        "conditionals_per_neuron": r["conditionals"] / max(1, sum(layer.width for layer in fed)),
        "max_conditionals_per_neuron": r.get("max_conditionals_per_neuron"),
        "max_probability_error": r.get("max_probability_error"),
        "max_preactivation_error": r.get("max_preactivation_error"),
    }
