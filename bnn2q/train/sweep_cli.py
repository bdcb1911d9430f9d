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


def run(args) -> None:
    from .sweep import SweepConfig, run_sweep
    from .sweep.runner import SweepFailed

    if args.seeds < 1:
        raise InputError(f"--seeds must be >= 1, got {args.seeds}")
    if args.workers < 0:
        raise InputError(f"--workers must be >= 0, got {args.workers}")
    config = SweepConfig(
        dataset=args.dataset,
        architecture=args.architecture,
        activation=args.activation,
        train_sizes=parse_list(args.train_sizes, "--train-sizes", int),
        taus=parse_list(args.quantumness, "--quantumness"),
        gs=parse_list(args.g, "--g"),
        seeds=tuple(range(args.seeds)),
        epochs=args.epochs,
        shots=args.shots,
        val_size=args.val_size,
        lr=args.lr,
        batch_size=args.batch_size,
    )
    outcome = run_sweep(config, args.output, workers=args.workers, ray_address=args.ray)
    print(f"{outcome.ran} cells run, {outcome.already_done} were already done; rows in {outcome.csv}")
    for path in outcome.plots + [outcome.summary]:
        print(f"wrote {path}")
    if outcome.failed:
        cell, error = outcome.failed[0]
        raise SweepFailed(
            f"{len(outcome.failed)} of {outcome.total} cells failed (first: τ = {cell.quantumness:g}, "
            f"g = {cell.g:.4g}, size {cell.train_size}, seed {cell.seed}: {error}); rerun to retry them"
        )
