"""Options several subcommands share: the model, the quantum neuron, the dataset. One name has
one meaning in every subcommand (``--sample I`` is an index, ``--samples N`` a count)."""

from __future__ import annotations

import argparse
import math
import sys

from ..errors import InputError

ACTIVATIONS = ("rotation", "ancilla", "ancilla-reset")
ACTIVATION_HELP = ("quantum neuron activation: rotation; ancilla (the paper's network: weak "
                   "measurement through an ancilla, neuron qubits carry their state); ancilla-reset "
                   "(the memoryless reduction) (default: rotation)")
DATASET_HELP = ("digits (8×8, scaled to [-1, 1] as value/8 - 1) | fashion-mnist (28×28, value/127.5 - 1) | "
                "PATH.npz (Keras mnist.npz layout, value/127.5 - 1)")


def add_model(p):
    p.add_argument("model", metavar="MODEL", help="trained BNN: .h5 / .keras (Larq) or .onnx")


def add_quantum(p):
    p.add_argument("--activation", choices=ACTIVATIONS, default="rotation", help=ACTIVATION_HELP)
    knob = p.add_mutually_exclusive_group()
    knob.add_argument("--quantumness", "--tau", type=float, default=None, dest="quantumness",
                      help="τ >= 0; 0 is the classical network (default 0)")
    knob.add_argument("--a", type=float, default=None, dest="paper_a",
                      help="the paper's stretch a (= 2τ), instead of --quantumness")
    p.add_argument("--g", type=float, default=None,
                   help="ancilla coupling angle in [0, pi/2] for --activation ancilla or ancilla-reset; "
                        "pi/2 is classical (default pi/2)")


def quantumness(args) -> float:
    """τ from --quantumness, or from the paper's --a (τ = a/2)."""
    from ..activations import tau_from_a

    if getattr(args, "paper_a", None) is not None:
        return tau_from_a(args.paper_a)
    return 0.0 if args.quantumness is None else args.quantumness


def coupling(args) -> float:
    """g from --g (π/2 when not given); refused with the rotation activation, which has none."""
    if args.g is None:
        return math.pi / 2
    if args.activation == "rotation":
        raise InputError(f"--g {args.g:g} sets the ancilla coupling, which the rotation activation does not have: "
                         "add --activation ancilla (or ancilla-reset), or drop --g")
    return args.g


def add_data(p, required: bool):
    p.add_argument("--dataset", required=required, default=None, metavar="DATASET", help=DATASET_HELP)
    p.add_argument("--split", choices=("train", "test"), default="test",
                   help="which part of --dataset to read (default: test)")
    p.add_argument("--samples", type=int, default=None, metavar="N",
                   help="the first N samples of the split (default: all)")
    p.add_argument("--sample", type=int, default=None, dest="misplaced_sample", help=argparse.SUPPRESS)


def check_data_options(args) -> None:
    """Refuse dataset options that would be ignored."""
    if getattr(args, "misplaced_sample", None) is not None:
        raise InputError(f"--sample I names one sample to bake into 'bnn2q compile'; '{args.command}' takes "
                         f"--samples N (the first N of the split): use --samples {args.misplaced_sample}")
    if args.dataset is None and (args.samples is not None or args.split != "test"):
        raise InputError("--samples and --split choose samples of --dataset: give --dataset too")


def samples(args, net=None):
    """(x, y) of --dataset's --split, its first --samples; with ``net``, a warning when the
    dataset's scaling does not look like what the model was trained on (``input_range``)."""
    from ..datasets import load_dataset

    check_data_options(args)
    data = load_dataset(args.dataset)
    x, y = data.split(args.split)
    if net is not None:
        from .input_range import check_input_range

        check_input_range(net, x, y, args.dataset)
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
    ("eval_seeds", "--eval-seeds", 1, "a positive count of evaluation seeds (default 3)"),
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


class DeprecatedAlias(argparse.Action):
    """Stores the value; an old spelling (``aliases``) still works and prints a one-line note."""

    def __init__(self, option_strings, dest, aliases=(), **kwargs):
        self.aliases = tuple(aliases)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        if option_string in self.aliases:
            print(f"bnn2q: note: {option_string} is now {self.option_strings[0]} (the old spelling will go)",
                  file=sys.stderr)
        setattr(namespace, self.dest, values)
