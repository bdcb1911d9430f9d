"""``bnn2q sweep``: parse the grid from the command line, run it, print where the results are."""

from __future__ import annotations

import math

from ..errors import InputError
from .options import DATASET_HELP


def add(sub):
    p = sub.add_parser("sweep", help="train a grid over quantumness (or g), seeds and sizes; CSV + plots")
    p.add_argument("architecture", metavar="MODEL",
                   help="a Larq model file (its architecture, retrained) or a spec like 64-32-10")
    p.add_argument("--dataset", required=True, metavar="DATASET", help=DATASET_HELP)
    p.add_argument("--family", choices=("larq", "paper"), default="larq",
                   help="for a spec: larq (±1 kernels, batch-norm) or paper (the paper's real-weight MLP: "
                        "no bias, no batch-norm) (default larq)")
    p.add_argument("--activation", default="rotation",
                   help="comma-separated activations: rotation, ancilla, ancilla-reset (default rotation)")
    knob = p.add_mutually_exclusive_group()
    knob.add_argument("--quantumness", "--tau", default=None, dest="quantumness",
                      help="comma-separated τ values (for ancilla the neuron's own τ; default 0)")
    knob.add_argument("--a", default=None, dest="paper_a_list",
                      help="comma-separated values of the paper's stretch a = 2τ, instead of --quantumness")
    p.add_argument("--g", default=None,
                   help="comma-separated ancilla angles g for the ancilla activations (default pi/2)")
    p.add_argument("--gradient", default="expected",
                   help="comma-separated surrogate gradients: expected (straight-through on the expected "
                        "spin), htanh (the paper's hard-tanh) (default expected)")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam",
                   help="adam, or sgd with --momentum (the paper's recipe) (default adam)")
    p.add_argument("--momentum", type=float, default=0.9, help="SGD momentum (default 0.9)")
    p.add_argument("--train-sizes", default="500", help="comma-separated training-set sizes (default 500)")
    p.add_argument("--seeds", type=int, default=3, metavar="N",
                   help="training seeds per setting: N models trained from seeds 0..N-1 (default 3)")
    p.add_argument("--epochs", type=int, default=30, help="training epochs per cell (default 30)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate (default 3e-3 for adam, 1e-2 for sgd)")
    p.add_argument("--batch-size", type=int, default=64, help="training images per gradient step (default 64)")
    p.add_argument("--shots", type=int, default=100, help="simulator shots per validation image (default 100)")
    p.add_argument("--vote", type=int, default=15, help="shots per majority vote (default 15)")
    p.add_argument("--val-size", type=int, default=None,
                   help="first N test images used for validation (default: all)")
    p.add_argument("--workers", type=int, default=2,
                   help="local worker processes (default 2; 0 runs in this process); with --ray local, "
                        "the CPUs of the runtime it starts")
    p.add_argument("--ray", default=None, metavar="ADDRESS",
                   help="run cells as Ray tasks: 'local' starts a private runtime; 'auto' joins the "
                        "cluster this machine belongs to (RAY_ADDRESS, else the last 'ray start' here); "
                        "HOST:PORT or ray://HOST:PORT joins that one")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory (CSV, plots, summary)")
    p.set_defaults(func=main)


def parse_list(text: str, what: str, kind=float) -> tuple:
    """'0,0.1,0.3' → (0.0, 0.1, 0.3); 'pi/2' is accepted for angles."""
    out = []
    for item in str(text).split(","):
        item = item.strip()
        try:
            out.append(math.pi / 2 if item.lower() == "pi/2" else kind(item))
        except ValueError:
            raise InputError(f"{what} must be a comma-separated list of numbers, got {text!r}") from None
    return tuple(out)


def parse_names(text: str) -> tuple:
    """'rotation, ancilla' → ('rotation', 'ancilla')."""
    return tuple(item.strip() for item in str(text).split(",") if item.strip())


def main(args) -> None:
    from ..activations import tau_from_a
    from ..train.sweep import SweepConfig, run_sweep
    from ..train.sweep.runner import SweepFailed

    if args.seeds < 1:
        raise InputError(f"--seeds must be >= 1, got {args.seeds}")
    if args.workers < 0:
        raise InputError(f"--workers must be >= 0, got {args.workers}")
    if args.paper_a_list is not None:
        taus = tuple(tau_from_a(a) for a in parse_list(args.paper_a_list, "--a"))
    else:
        taus = parse_list(args.quantumness if args.quantumness is not None else "0", "--quantumness")
    activations = parse_names(args.activation)
    if args.g is not None and set(activations) <= {"rotation"}:
        raise InputError(f"--g {args.g} sets the ancilla coupling, which the rotation activation does not have: "
                         "add --activation ancilla,ancilla-reset, or drop --g")
    lr = args.lr if args.lr is not None else (3e-3 if args.optimizer == "adam" else 1e-2)
    config = SweepConfig(
        dataset=args.dataset,
        architecture=args.architecture,
        family=args.family,
        activations=activations,
        gradients=parse_names(args.gradient),
        train_sizes=parse_list(args.train_sizes, "--train-sizes", int),
        taus=taus,
        gs=parse_list(args.g if args.g is not None else "pi/2", "--g"),
        seeds=tuple(range(args.seeds)),
        epochs=args.epochs,
        shots=args.shots,
        vote=args.vote,
        val_size=args.val_size,
        lr=lr,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        momentum=args.momentum,
        units="a" if args.paper_a_list is not None else "tau",
    )
    outcome = run_sweep(config, args.output, workers=args.workers, ray_address=args.ray)
    print(f"{outcome.ran} cells run, {outcome.already_done} were already done; rows in {outcome.csv}")
    for path in outcome.plots + [outcome.summary]:
        print(f"wrote {path}")
    if outcome.failed:
        cell, error = outcome.failed[0]
        raise SweepFailed(
            f"{len(outcome.failed)} of {outcome.total} cells failed (first: {cell.activation}, "
            f"τ = {cell.quantumness:g}, g = {cell.g:.4g}, size {cell.train_size}, seed {cell.seed}: "
            f"{error}); rerun to retry them"
        )
