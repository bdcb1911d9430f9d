"""The README's performance tables, as (header, rows) from the committed bench results
(docs/readme_tables.py renders them onto the page; `make bench` and bench/conv.py write the CSVs)."""

from __future__ import annotations

import csv
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
NETWORKS = ("64-64-32-10", "784-256-256-10", "784-1024-1024-1024-10")
ROTATION = "rotation tau=0.5"


def _rows(name: str) -> list[dict]:
    with open(RESULTS / name, newline="") as f:
        return list(csv.DictReader(f))


def _rate(v: float) -> str:
    return f"{v / 1e6:.1f} M" if v >= 1e6 else f"{v / 1e3:.0f} k"


def _times(v: float) -> str:
    """A speed-up: 2,345× or 1.8 × 10⁷×."""
    if v < 1e5:
        return f"{v:,.0f}×" if v >= 100 else f"{v:.2g}×"
    exponent = len(str(int(v))) - 1
    digits = str(exponent).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{v / 10 ** exponent:.1f} × 10{digits}×"


def _span(values) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:.1f}×" if f"{lo:.1f}" == f"{hi:.1f}" else f"{lo:.1f}–{hi:.1f}×"


def simulator_table() -> tuple[list[str], list[list]]:
    floor = {(r["network"], r["regime"]): r for r in _rows("floor.csv")}
    noise = _rows("noise.csv")
    peers = {(r["network"], r["backend"]): r for r in _rows("peers.csv")}
    compiled = {r["network"]: r for r in _rows("compile.csv")
                if float(r["tau"]) == 0.0 and float(r["prune_tol"]) == 0.0 and not r["max_qubits"]}
    memory = [r for r in _rows("memory.csv") if r["keep_bits"] == "False"]

    def rotation(net):
        return floor[(net, ROTATION)]

    def cost(net):
        own = [float(r["packed_to_rotation"]) for r in noise if r["network"] == net and r["regime"] != ROTATION]
        real = [float(r["packed_to_rotation"]) for r in noise
                if r["network"] == f"paper (real) {net}" and r["regime"] != ROTATION]
        return _span(own) + (f" (real weights {_span(real)})" if real else "")

    def peer(net, backend):
        r = peers.get((net, backend))
        if r is None:
            return ""
        text = _times(float(r["speedup"]))
        if r["note"]:  # the peer timed out: its time and so the ratio are lower bounds
            return f"> {text} (> {float(r['peer_s_per_shot']):.0f} s/shot)"
        return text

    def compile_cost(net):
        r = compiled.get(net)
        return f"{float(r['compile_s']):.2g} s, {int(r['qasm_chars']) / 1e3:,.0f} kB" if r else ""

    samples = " / ".join(f"{int(rotation(n)['samples']):,}" for n in NETWORKS)
    rows = [
        [f"`bnn2q.simulate` shots/s at τ = 0.5 ({samples} samples × 100 shots)",
         *(_rate(float(rotation(n)["packed_shots_per_s"])) for n in NETWORKS)],
        ["speed-up over the float32 matmul forward pass of the same rows (CPU time's in parentheses)",
         *(f"{float(rotation(n)['floor_over_packed']):.2f}× ({float(rotation(n)['floor_over_packed_cpu']):.2f}×)"
           for n in NETWORKS)],
        ["ancilla (with memory), noise: time vs noiseless rotation", *(cost(n) for n in NETWORKS)],
        ["speed-up per shot vs qiskit-aer, same program", *(peer(n, "aer") for n in NETWORKS)],
        ["speed-up per shot vs Braket's local simulator, same program", *(peer(n, "braket-local") for n in NETWORKS)],
        ["compile to OpenQASM 3 at τ = 0", *(compile_cost(n) for n in NETWORKS)],
    ]
    for r in memory:
        rows.append([f"{int(r['samples']):,} samples × {int(r['shots']):,} shots, `keep_bits=False`",
                     *(f"{float(r['seconds']):.0f} s, {float(r['peak_rss_mib']) / 1024:.1f} GiB peak"
                       if n == r["network"] else "" for n in NETWORKS)])
    return ["measure", *NETWORKS], rows


def conv_table() -> tuple[list[str], list[list]]:
    memory = {r["network"]: r for r in _rows("conv_memory.csv")}
    rows = []
    for r in _rows("conv.csv"):
        m = memory.get(r["network"], {})
        rows.append([r["network"], f"{int(r['samples'])} × {int(r['shots'])}", f"{int(r['neurons']):,}",
                     f"{float(r['tf_ms']):.0f} ms", f"{float(r['packed_ms']):.0f} ms",
                     f"{float(r['packed_to_tf']):.2f}× ({float(r['packed_to_tf_cpu']):.2f}×)",
                     f"{float(m['packed_peak_to_tf']):.2f}×" if m else ""])
    return ["network", "samples × shots", "neurons", "TensorFlow forward", "bnn2q packed",
            "bnn2q time / TensorFlow's (CPU)", "bnn2q peak memory / TensorFlow's"], rows

