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


#: Numeric flags every subcommand may carry: (attribute, flag, lowest, what a fix looks like).
#: Checked before anything is loaded or created, so a bad value costs nothing and leaves nothing.
INTEGER_FLAGS = (
    ("seed", "--seed", 0, "any integer >= 0 (default 0)"),
    ("shots", "--shots", 1, "a positive count of shots"),
    ("samples", "--samples", 1, "a positive count, or leave it out for the whole split"),
    ("batch_size", "--batch-size", 1, "a positive batch size (default 64)"),
    ("epochs", "--epochs", 1, "a positive count of epochs"),
    ("seeds", "--seeds", 1, "a positive count of seeds"),
    ("train_size", "--train-size", 1, "a positive count, or leave it out for the whole training set"),
    ("val_size", "--val-size", 1, "a positive count, or leave it out for the whole test split"),
    ("vote", "--vote", 1, "a positive count of shots per vote (default 15)"),
    ("workers", "--workers", 0, "0 (this process) or a positive count of processes"),
    ("max_qubits", "--max-qubits", 1, "a positive qubit count, or leave it out for no limit"),
    ("sample", "--sample", 0, "the index of a sample of the split"),
)
#: Shots are counted and averaged in float64: up to 2⁵³ every count is exact.
MAX_SHOTS = 2**53


def check_numbers(args) -> None:
    """One line naming the flag and the fix for a count out of range (``--seed -1``,
    ``--shots 2**63``, ``--batch-size 0``) or a learning rate that is not a positive number."""
    for attr, flag, low, fix in INTEGER_FLAGS:
        value = getattr(args, attr, None)
        if value is None or isinstance(value, str):
            continue
        if value < low:
            what = "a positive integer (>= 1)" if low == 1 else f"an integer >= {low}"
            raise InputError(f"{flag} must be {what}, got {value}; give {fix}")
    shots = getattr(args, "shots", None)
    if isinstance(shots, int) and shots > MAX_SHOTS:
        raise InputError(f"--shots must be at most 2**53 ({MAX_SHOTS:,}), got {shots:,}; give fewer shots")
    lr = getattr(args, "lr", None)
    if lr is not None and not (isinstance(lr, float) and math.isfinite(lr) and lr > 0):
        raise InputError(f"--lr must be a positive number, got {lr}; give e.g. --lr 1e-3")
