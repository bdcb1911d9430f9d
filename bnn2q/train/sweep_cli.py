"""``bnn2q sweep``: parse the grid from the command line, run it, print where the results are."""

from __future__ import annotations

import math

from ..errors import InputError


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


def run(args) -> None:
    from ..activations import tau_from_a
    from .sweep import SweepConfig, run_sweep
    from .sweep.runner import SweepFailed

    if args.seeds < 1:
        raise InputError(f"--seeds must be >= 1, got {args.seeds}")
    if args.workers < 0:
        raise InputError(f"--workers must be >= 0, got {args.workers}")
    if args.paper_a_list is not None:
        taus = tuple(tau_from_a(a) for a in parse_list(args.paper_a_list, "--a"))
    else:
        taus = parse_list(args.quantumness if args.quantumness is not None else "0", "--quantumness")
    lr = args.lr if args.lr is not None else (3e-3 if args.optimizer == "adam" else 1e-2)
    config = SweepConfig(
        dataset=args.dataset,
        architecture=args.architecture,
        family=args.family,
        activations=parse_names(args.activation),
        gradients=parse_names(args.gradient),
        train_sizes=parse_list(args.train_sizes, "--train-sizes", int),
        taus=taus,
        gs=parse_list(args.g, "--g"),
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
