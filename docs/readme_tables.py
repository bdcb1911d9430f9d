"""The README's tables, generated from the code and the committed results, and held to the page.

Each table sits between two markers in README.md:

    <!-- table: NAME -->
    | … the generated table … |
    <!-- /table: NAME -->

and ``TABLES`` below names its generator: a function returning the table's markdown, either by
running bnn2q (``source="code"``: e.g. ``bnn2q compile`` on the committed digits model) or by
rendering committed results (``source="results"``: a CSV or JSON under bench/results/ or docs/,
written by the bench script the table's text names).

    .venv/bin/python docs/readme_tables.py            # rewrite every region (`make docs`)
    .venv/bin/python docs/readme_tables.py --check    # list regions that differ; exit 1 if any
    .venv/bin/python docs/readme_tables.py NAME ...   # only these

tests/test_readme_tables.py runs ``--check`` (the "results" tables, and the "code" tables in the
README test's group). Adding a table: write ``def my_table() -> str`` returning the markdown
(header row included), add ``"my-table": Table(my_table, "results" or "code", "what it reads")``
to ``TABLES``, put the two markers where it goes, run ``make docs``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "bench" / "results"
#: The digits BNN every resource table compiles: what `make demo` trains (examples/train_digits.py,
#: seed 0), committed so the tables do not depend on a machine's training run.
DIGITS_MODEL = "docs/models/digits_bnn.h5"


@dataclass(frozen=True)
class Table:
    render: Callable[[], str]
    source: str  # "code": runs bnn2q; "results": renders committed results
    reads: str  # what it runs or reads, for --list


def markdown(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


# --- digits resources: `bnn2q compile` on the committed model -------------------------------------

#: (target, activation, max_qubits, tolerance); τ = 0.5, g = 1.0 for the ancilla activations.
DIGITS_ROWS = [
    ("qasm3", "rotation", None, 0.0), ("qasm3", "rotation", 64, 0.0), ("qasm3", "rotation", 8, 0.0),
    ("qasm3", "rotation", 1, 0.0), ("qasm3", "rotation", None, 0.01),
    ("qasm3", "ancilla", None, 0.0), ("qasm3", "ancilla", 65, 0.0),
    ("qasm3", "ancilla-reset", None, 0.0), ("qasm3", "ancilla-reset", 2, 0.0),
    ("ibm", "rotation", None, 0.0), ("ibm", "rotation", 8, 0.0),
    ("ibm", "ancilla", None, 0.0), ("ibm", "ancilla-reset", 8, 0.0),
]


def compile_argv(target: str, activation: str, budget, tolerance: float) -> list[str]:
    """The `bnn2q compile` arguments of one row (the README prints the same command line)."""
    argv = ["compile", str(ROOT / DIGITS_MODEL), "--target", target, "--activation", activation, "--quantumness", "0.5"]
    argv += ["--g", "1.0"] if activation != "rotation" else []
    argv += ["--max-qubits", str(budget)] if budget is not None else []
    argv += ["--tolerance", f"{tolerance:g}"] if tolerance else []
    return argv + ["--sample", "0", "--dataset", "digits", "--json"]


def bnn2q_json(argv: list[str]) -> dict:
    """Run a bnn2q command in this process (``bnn2q.cli.run``) and parse its --json output."""
    from bnn2q import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.run(argv)
    if code:
        raise SystemExit(f"bnn2q {' '.join(argv)} failed: {err.getvalue().strip()}")
    return json.loads(out.getvalue())


def digits_resources() -> str:
    rows = []
    for target, activation, budget, tolerance in DIGITS_ROWS:
        r = bnn2q_json(compile_argv(target, activation, budget, tolerance))
        t = r.get("transpiled")
        rows.append([target, r["strategy"], activation, "—" if budget is None else budget,
                     f"{tolerance:g}", r["qubits"], r["circuits"], r["measurements"], r["resets"], r["conditionals"],
                     r["depth"], r["two_qubit_gates"], f"{t['depth']} / {t['two_qubit_gates']}" if t else "—",
                     f"{r['max_probability_error']:.1g}" if r["max_probability_error"] else "0"])
    return markdown(["target", "strategy", "activation", "B", "ε", "qubits", "circuits", "measurements", "resets",
                     "conditionals", "depth", "2q gates", "transpiled depth / 2q", "max ΔP"], rows)


# --- committed benchmark results -------------------------------------------------------------------

def _csv_rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def real_weights_compile() -> str:
    """The paper's 784-512-512-10 with random real weights (bench/simulator.py --only compile)."""
    rows = []
    for r in _csv_rows(RESULTS / "compile.csv"):
        if r["network"] != "784-512-512-10":
            continue
        dp, tol = float(r["max_probability_error"]), float(r["prune_tol"])
        exact = float(r["max_preactivation_error"]) == 0.0
        note = ("0 (exact)" if dp == 0 else f"{dp:g}" + (" (= ε/2, from the tolerance; the fixed point is exact)"
                                                          if exact and abs(dp - tol / 2) < 1e-12 else ""))
        rows.append([f"{float(r['tau']):g}", f"{tol:g}", r["max_conditionals_per_neuron"], r["depth"],
                     f"{int(r['qasm_chars']) / 1e6:.1f} MB", f"{float(r['compile_s']):.1f} s", note])
    return markdown(["τ", "ε", "conditionals per neuron (layer 2)", "depth", "QASM size", "compile time", "max ΔP"], rows)


def quantinuum_digits() -> str:
    """H2 and Helios resources of the digits network (bench/quantinuum.py, make bench-quantinuum)."""
    rows = []
    for r in _csv_rows(RESULTS / "quantinuum_digits.csv"):
        budget = r["max_qubits"] or f"— ({r['qubits']})"
        if r["target"] == "quantinuum":
            rows.append(["H2 (level chains)", r["activation"], budget, f"{float(r['tolerance']):g}", r["qubits"],
                         r["resets"], f"{r['conditionals']} / {r['h2_conditionals']}", f"{r['depth']} / {r['h2_depth']}",
                         f"{r['two_qubit_gates']} / {r['h2_two_qubit_gates']}", f"{float(r['max_dP']):g}"])
        else:
            rows.append(["Helios (computed angles)", r["activation"], budget, "—", r["qubits"], r["resets"],
                         r["conditionals"], r["depth"], r["two_qubit_gates"], f"{float(r['max_dP']):g}"])
    return markdown(["target", "activation", "B", "ε", "qubits", "resets", "conditionals (IR / H2)", "depth (IR / H2)",
                     "2q gates (IR / H2)", "max ΔP"], rows)


def larq_zoo() -> str:
    """larq-zoo's twelve architectures through bnn2q (bench/zoo.py)."""
    rows = []
    for r in _csv_rows(RESULTS / "zoo.csv"):
        def result(frontend):
            text = r[frontend]
            if text.startswith("refused: "):
                return f"refused: “{text.removeprefix('refused: ')}”"
            return f"{text} match `predict`" if "/" in text else text
        timed = r.get("load_s") not in (None, "")
        rows.append([r["model"], r["input"], result("keras"), result("onnx"),
                     f"{int(r['hidden_layers'])} / {int(r['neurons']):,}" if timed else "—",
                     f"{float(r['load_s']):.1f} s, {float(r['load_mib']):.0f} MiB" if timed else "—",
                     f"{float(r['sim_s']):.1f} s, {float(r['sim_mib']):.0f} MiB" if timed else "—"])
    return markdown(["larq-zoo model", "input", "from Keras", "from tf2onnx", "sign layers / neurons",
                     "bnn2q.load", "simulate 20 × 10 shots, τ = 0.5"], rows)


def lce_headline() -> str:
    """bnn2q against Larq Compute Engine and Keras per distinct sample and per shot (bench/lce.py)."""
    sys.path.insert(0, str(ROOT))
    from bench.headline import render

    return render(RESULTS / "lce.csv")


def simulator_performance() -> str:
    """The simulator against the float32 floor, its peers, compile and memory (make bench)."""
    sys.path.insert(0, str(ROOT))
    from bench.readme_performance import simulator_table

    return markdown(*simulator_table())


def conv_performance() -> str:
    """Convolutional BNNs against TensorFlow's forward pass (bench/conv.py)."""
    sys.path.insert(0, str(ROOT))
    from bench.readme_performance import conv_table

    return markdown(*conv_table())


TABLES: dict[str, Table] = {
    "digits-resources": Table(digits_resources, "code", f"bnn2q compile {DIGITS_MODEL} (13 programs)"),
    "real-weights-compile": Table(real_weights_compile, "results", "bench/results/compile.csv"),
    "quantinuum-digits": Table(quantinuum_digits, "results", "bench/results/quantinuum_digits.csv"),
    "simulator-performance": Table(simulator_performance, "results",
                                   "bench/results/{floor,noise,peers,compile,memory}.csv (make bench)"),
    "conv-performance": Table(conv_performance, "results", "bench/results/conv.csv, conv_memory.csv (bench/conv.py)"),
    "lce-headline": Table(lce_headline, "results", "bench/results/lce.csv (make bench-lce)"),
    "larq-zoo": Table(larq_zoo, "results", "bench/results/zoo.csv (python bench/zoo.py)"),
}

REGION = re.compile(r"(<!-- table: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /table: (?P=name) -->)", re.S)


def regions(text: str) -> dict[str, str]:
    """{name: the table between its markers} of a page."""
    return {m["name"]: m["body"].strip("\n") for m in REGION.finditer(text)}


def refresh(text: str, names) -> tuple[str, list[str]]:
    """The page with the named regions regenerated, and the names whose table changed."""
    found = regions(text)
    unknown = sorted(set(found) - set(TABLES))
    if unknown:
        raise SystemExit(f"README regions without a generator: {', '.join(unknown)} (add them to TABLES)")
    missing = [n for n in names if n not in found]
    if missing:
        raise SystemExit(f"no region in README.md for {', '.join(missing)}: add <!-- table: NAME --> markers")
    fresh = {name: TABLES[name].render().strip("\n") for name in names}
    changed = [name for name in names if fresh[name] != found[name]]

    def put(m):
        name = m["name"]
        return m.group(1) + (fresh[name] if name in fresh else m["body"].strip("\n")) + "\n" + m.group(4)

    return REGION.sub(put, text), changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"tables to regenerate (default: all: {', '.join(TABLES)})")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a region differs")
    parser.add_argument("--source", choices=("code", "results"), default=None, help="only tables of this source")
    parser.add_argument("--list", action="store_true", help="list the tables and what each runs or reads")
    args = parser.parse_args(argv)
    if args.list:
        for name, table in TABLES.items():
            print(f"{name:24}{table.source:9}{table.reads}")
        return 0
    names = args.names or [n for n, t in TABLES.items() if args.source in (None, t.source)]
    text = README.read_text()
    new, changed = refresh(text, names)
    if args.check:
        for name in changed:
            print(f"README.md table {name!r} differs from what {TABLES[name].reads} gives: run `make docs`")
        return 1 if changed else 0
    if new != text:
        README.write_text(new)
    print(f"README.md: {len(names)} tables regenerated, {len(changed)} changed ({', '.join(changed) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
