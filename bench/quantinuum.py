"""Quantinuum targets: the 784-256-256-10 program at τ = 0 through H2's offline compilation and
checks (time and size), and the resource table of the digits network for H2 (level chains) and
Helios (computed angles).

    .venv/bin/python bench/quantinuum.py [--only big|digits] [--model build/digits_bnn.h5]
        [--helios]   also build the Helios programs' HUGR in .venv-helios (timed)

Writes bench/results/quantinuum_big.json and quantinuum_digits.csv and prints markdown rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bnn2q  # noqa: E402
from bench.networks import FASHION, random_inputs, random_network  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
#: (target, activation, max_qubits, tolerance) rows of the digits table; τ = 0.5, g = 1.0.
DIGITS_ROWS = [
    ("quantinuum", "rotation", None, 0.0),
    ("quantinuum", "rotation", 8, 0.0),
    ("quantinuum", "rotation", None, 0.01),
    ("quantinuum", "ancilla-reset", None, 0.0),
    ("quantinuum", "ancilla-reset", 2, 0.0),
    ("helios", "rotation", None, 0.0),
    ("helios", "rotation", 8, 0.0),
    ("helios", "ancilla", None, 0.0),
    ("helios", "ancilla", 65, 0.0),
    ("helios", "ancilla-reset", 2, 0.0),
]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def big(helios: bool) -> dict:
    """784-256-256-10 at τ = 0, one sample baked in, on H2's 56 qubits."""
    bnn2q.compile(random_network((4, 3, 3, 2)), target="quantinuum", inputs=[0.1, 0.2, 0.3, 0.4])  # imports
    net = random_network(FASHION, seed=0)
    x = random_inputs(1, FASHION[0], seed=1)[0]
    start = time.perf_counter()
    prog = bnn2q.compile(net, target="quantinuum", inputs=x, max_qubits=56)
    total = time.perf_counter() - start
    r, h = prog.resources, prog.resources["h2"]
    row = {
        "network": "784-256-256-10", "tau": 0.0, "max_qubits": 56,
        "compile_total_s": round(total, 2), "h2_compile_s": h["compile_s"], "optimisation_level": h["optimisation_level"],
        "checks_s": h["checks_s"], "qubits": r["qubits"], "measurements": r["measurements"],
        "resets": r["resets"], "conditionals_ir": r["conditionals"], "h2_commands": h["commands"],
        "h2_conditionals": h["conditionals"], "h2_depth": h["depth"], "h2_classical_registers": h["classical_registers"],
        "qir_bytes": h["qir_bytes"], "pytket_json_bytes": len(json.dumps(prog.native[0].compiled.to_dict())),
        "peak_rss_mib": round(peak_rss_mib()), "by_type": h["by_type"],
    }
    if helios:
        from bnn2q.targets.helios import env as helios_env

        hp = bnn2q.compile(net, target="helios", inputs=x, quantumness=0.5, max_qubits=56)
        start = time.perf_counter()
        row["helios_tau0.5_hugr_bytes"] = len(helios_env.hugr(hp))
        row["helios_tau0.5_hugr_s"] = round(time.perf_counter() - start, 1)
        row["helios_tau0.5_guppy_chars"] = hp.resources["helios"]["guppy_chars"]
    return row


def digits(model: str, helios: bool) -> list[dict]:
    """The README's resource rows for the digits network, test sample 0 baked in."""
    from bnn2q.datasets import load_dataset

    net = bnn2q.load(model)
    x = load_dataset("digits").x_test[0]
    rows = []
    for target, act, budget, tol in DIGITS_ROWS:
        start = time.perf_counter()
        prog = bnn2q.compile(net, target=target, activation=act, quantumness=0.5, g=1.0, max_qubits=budget,
                             tolerance=tol, inputs=x)
        seconds = time.perf_counter() - start
        r = prog.resources
        h = r.get("h2", {})
        row = {"target": target, "activation": act, "max_qubits": budget, "tolerance": tol,
               "qubits": r["qubits"], "measurements": r["measurements"], "resets": r["resets"],
               "conditionals": r["conditionals"], "depth": r["depth"], "two_qubit_gates": r["two_qubit_gates"],
               "h2_conditionals": h.get("conditionals"), "h2_depth": h.get("depth"),
               "h2_two_qubit_gates": h.get("two_qubit_gates"), "h2_commands": h.get("commands"),
               "computed_angles": r.get("helios", {}).get("computed_angles"),
               "max_dP": round(r["max_probability_error"], 4), "compile_s": round(seconds, 2)}
        if helios and target == "helios":
            from bnn2q.targets.helios import env as helios_env

            start = time.perf_counter()
            row["hugr_bytes"] = len(helios_env.hugr(prog))
            row["hugr_s"] = round(time.perf_counter() - start, 1)
        rows.append(row)
        print(markdown(row), flush=True)
    return rows


def markdown(row: dict) -> str:
    dash = lambda v: "—" if v is None else v  # noqa: E731
    if row["target"] == "quantinuum":
        return (f"| H2 (level chains) | {row['activation']} | {dash(row['max_qubits'])} | {row['tolerance']:g} | "
                f"{row['qubits']} | {row['resets']} | {row['conditionals']} / {row['h2_conditionals']} | "
                f"{row['depth']} / {row['h2_depth']} | {row['two_qubit_gates']} / {row['h2_two_qubit_gates']} | "
                f"{row['max_dP']:g} |")
    return (f"| Helios (computed angles) | {row['activation']} | {dash(row['max_qubits'])} | — | {row['qubits']} | "
            f"{row['resets']} | {row['conditionals']} | {row['depth']} | {row['two_qubit_gates']} | 0 |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("big", "digits"), default=None)
    parser.add_argument("--model", default="build/digits_bnn.h5", help="(examples/train_digits.py writes it)")
    parser.add_argument("--helios", action="store_true", help="also build HUGR in the Helios environment")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.only in (None, "digits"):
        rows = digits(args.model, args.helios)
        with open(RESULTS / "quantinuum_digits.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
            writer.writeheader()
            writer.writerows(rows)
    if args.only in (None, "big"):
        row = big(args.helios)
        (RESULTS / "quantinuum_big.json").write_text(json.dumps(row, indent=2) + "\n")
        print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
