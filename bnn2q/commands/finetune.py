"""``bnn2q finetune``: fine-tune a Larq model at a quantumness and report accuracy before/after."""

from __future__ import annotations

import sys
from pathlib import Path

from ..atomic import check_writable
from ..errors import InputError
from .options import DATASET_HELP, DeprecatedAlias, add_model, add_quantum


def add(sub):
    p = sub.add_parser("finetune", help="quantum-aware fine-tuning of a Larq model at a quantumness")
    add_model(p)
    p.add_argument("--dataset", required=True, metavar="DATASET", help=DATASET_HELP)
    add_quantum(p)
    p.add_argument("--train-size", type=int, default=None, metavar="N", help="first N training images (default: all)")
    p.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    p.add_argument("--batch-size", type=int, default=64, help="training images per gradient step (default 64)")
    p.add_argument("--shots", type=int, default=100, help="shots per test image when evaluating (default 100)")
    p.add_argument("--eval-seeds", "--seeds", type=int, default=3, dest="eval_seeds", metavar="N",
                   action=DeprecatedAlias, aliases=("--seeds",),
                   help="simulator seeds averaged when evaluating before and after (default 3)")
    p.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="output model file (.h5 or .keras)")
    p.set_defaults(func=main)


def check_output_path(path) -> Path:
    """Fail before any training if the output cannot be written."""
    path = Path(path)
    if path.suffix.lower() not in (".h5", ".hdf5", ".keras"):
        raise InputError(f"output {str(path)!r} must end in .h5 or .keras (the Keras formats)")
    check_writable(path)
    return path


def train_subset(data, size):
    """The first ``size`` training images (all of them when size is None)."""
    x, y = data.x_train, data.y_train
    if size is None:
        return x, y
    if size < 1:
        raise InputError(f"--train-size must be >= 1, got {size}")
    if size > len(y):
        raise InputError(f"--train-size {size} exceeds the {len(y)} training images of {data.name}")
    return x[:size], y[:size]


def main(args) -> None:
    """Load, evaluate, fine-tune, evaluate again, save atomically; print a short report."""
    from .. import activations
    from ..datasets import load_dataset
    from ..train.evaluate import quantum_accuracy
    from ..train.finetune import finetune, save_model_atomic
    from ..train.keras_io import load_keras_model

    act = activations.get(args.activation, args.quantumness, args.g)  # check knobs first
    out = check_output_path(args.output)
    if args.shots < 1 or args.eval_seeds < 1:
        raise InputError("--shots and --eval-seeds must be >= 1")
    data = load_dataset(args.dataset)
    x, y = train_subset(data, args.train_size)
    model = load_keras_model(args.model)
    knobs = dict(activation=act.name, quantumness=act.quantumness, g=getattr(act, "g", args.g),
                 shots=args.shots, seeds=tuple(range(args.eval_seeds)))
    label = f"{act.name}, τ = {act.quantumness:g}" + (f", g = {act.g:.4g}" if act.name == "ancilla" else "")
    print(f"fine-tuning {args.model} on {len(y)} {data.name} training images ({label})", flush=True)
    before = quantum_accuracy(model, data.x_test, data.y_test, **knobs)
    tuned, _history = finetune(model, x, y, act.name, act.quantumness, knobs["g"],
                               epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                               seed=args.seed, verbose=1 if sys.stdout.isatty() else 2)
    after = quantum_accuracy(tuned, data.x_test, data.y_test, **knobs)
    save_model_atomic(tuned, out)
    n = len(data.y_test)
    print(f"test accuracy at {label} on {n} {data.name} test images, {args.shots} shots, "
          f"mean ± s.e. over {args.eval_seeds} seeds:")
    print(f"  {'':8}{'shot-averaged':>16}{'single shot':>14}")
    for name, acc in (("before", before), ("after", after)):
        print(f"  {name:8}{acc.mean:>10.4f} ± {acc.stderr:.4f}{acc.shot_mean:>14.4f}")
    print(f"wrote {out} (source architecture, plain Larq quantizers)")
