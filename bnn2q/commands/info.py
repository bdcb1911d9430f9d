"""``bnn2q info``: a model's layers, neurons, qubit counts and, with a dataset, classical accuracy."""

from __future__ import annotations

import json

from .options import add_data, add_model, check_data_options, samples


def add(sub):
    p = sub.add_parser("info", help="layers, neurons, qubits, classical accuracy")
    add_model(p)
    add_data(p, required=False)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=main)


def main(args):
    from ..api import load, simulate
    from ..report import network_summary

    check_data_options(args)
    net = load(args.model)
    info = network_summary(net)
    if args.dataset:
        x, y = samples(args, net)
        info["dataset"] = args.dataset
        info["samples"] = int(len(y))
        info["classical_accuracy"] = simulate(net, x, shots=1).accuracy(y)
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(f"model        {info['source']}")
    print(f"input        {tuple(info['input_shape'])}")
    if info["host"]["encoder"]:
        print(f"host encoder {len(info['host']['encoder'])} steps before the first sign")
    width = max(24, 2 + max(len(row["name"]) for row in info["layers"]))
    print(f"{'hidden layer':<{width}}{'kind':<8}{'kernel':<15}{'neurons':>8}  role")
    for row in info["layers"]:
        print(f"{row['name']:<{width}}{row['kind']:<8}{row['kernel']:<15}{row['neurons']:>8}  {row['role']}")
    if info["host"]["head"]:
        print(f"host head    {len(info['host']['head'])} steps after the last sign")
    q = info["qubits"]
    print(f"neurons      {info['neurons']} hidden (one qubit each), {info['classes']} logits on the host")
    print(f"qubits       rotation: {q['rotation_min']} with reuse .. {q['rotation_all']} without; "
          f"ancilla: {q['ancilla_min']} .. {q['ancilla_all']}; ancilla-reset: {q['ancilla_reset_min']} .. "
          f"{q['ancilla_reset_all']}")
    if "classical_accuracy" in info:
        print(f"accuracy     {info['classical_accuracy']:.4f} classical (τ = 0) on {info['samples']} "
              f"{args.dataset} {args.split} samples")
