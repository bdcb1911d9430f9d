"""Options several subcommands share: the model, the quantum neuron, the dataset."""

from __future__ import annotations

import math

from ..errors import InputError

ACTIVATIONS = ("rotation", "ancilla", "ancilla-reset")
ACTIVATION_HELP = ("quantum neuron activation: rotation; ancilla (the paper's network: weak "
                   "measurement through an ancilla, neuron qubits carry their state); ancilla-reset "
                   "(the memoryless reduction) (default: rotation)")


def add_model(p):
    p.add_argument("model", help="trained BNN: .h5 / .keras (Larq) or .onnx")


def add_quantum(p):
    p.add_argument("--activation", choices=ACTIVATIONS, default="rotation", help=ACTIVATION_HELP)
    knob = p.add_mutually_exclusive_group()
    knob.add_argument("--quantumness", "--tau", type=float, default=None, dest="quantumness",
                      help="τ >= 0; 0 is the classical network (default 0)")
    knob.add_argument("--a", type=float, default=None, dest="paper_a",
                      help="the paper's stretch a (= 2τ), instead of --quantumness")
    p.add_argument("--g", type=float, default=math.pi / 2,
                   help="ancilla coupling angle in [0, pi/2]; pi/2 is classical (default pi/2)")


def quantumness(args) -> float:
    """τ from --quantumness, or from the paper's --a (τ = a/2)."""
    from ..activations import tau_from_a

    if getattr(args, "paper_a", None) is not None:
        return tau_from_a(args.paper_a)
    return 0.0 if args.quantumness is None else args.quantumness


def add_data(p, required: bool):
    p.add_argument("--dataset", required=required, default=None,
                   help="digits | fashion-mnist | PATH.npz (Keras mnist.npz layout)")
    p.add_argument("--split", choices=("train", "test"), default="test", help="(default: test)")
    p.add_argument("--samples", type=int, default=None, help="first N samples of the split (default: all)")


def samples(args):
    """(x, y) of --dataset's --split, its first --samples."""
    from ..datasets import load_dataset

    data = load_dataset(args.dataset)
    x, y = data.split(args.split)
    if args.samples is not None:
        if args.samples < 1:
            raise InputError(f"--samples must be >= 1, got {args.samples}")
        x, y = x[: args.samples], y[: args.samples]
    return x, y
