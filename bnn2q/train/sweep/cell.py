"""Run one sweep cell: train quantum-aware at the cell's quantumness, evaluate with the simulator
under three readouts — the argmax of shot-averaged logits (SPEC §3), a k-shot majority vote of
single-shot predictions (the paper's), and single shots."""

from __future__ import annotations

import functools
import time
from pathlib import Path

from ...errors import InputError
from .grid import Cell


@functools.lru_cache(maxsize=2)
def _dataset(name: str):
    from ...datasets import load_dataset

    return load_dataset(name)


def build_model(architecture: str, data, seed: int, family: str = "larq"):
    """A freshly initialized model: from a spec (``64-32-10``, in the given family) or a model
    file's architecture."""
    from ...frontends.tf_env import import_tf
    from ..models import dense_bnn, paper_mlp, parse_architecture

    _tf, keras, _lq = import_tf()
    n_inputs = 1
    for d in data.image_shape:
        n_inputs *= d
    if Path(architecture).suffix.lower() in (".h5", ".hdf5", ".keras"):
        from ..keras_io import load_keras_model

        keras.utils.set_random_seed(seed)
        return keras.models.clone_model(load_keras_model(architecture))  # new initial weights
    widths = parse_architecture(architecture)
    if widths[0] != n_inputs or widths[-1] != data.n_classes:
        raise InputError(
            f"architecture {architecture!r} reads {widths[0]} inputs into {widths[-1]} classes, but "
            f"{data.name} has {n_inputs} inputs and {data.n_classes} classes"
        )
    build = paper_mlp if family == "paper" else dense_bnn
    return build(data.image_shape, widths[1:-1], widths[-1], seed=seed)


def run_cell(cell: Cell) -> dict:
    """Train and evaluate one cell; returns its CSV row (the cell's fields plus results)."""
    from ...api import simulate
    from ..finetune import finetune

    data = _dataset(cell.dataset)
    x, y = data.x_train[: cell.train_size], data.y_train[: cell.train_size]
    if len(y) < cell.train_size:
        raise InputError(f"train size {cell.train_size} exceeds the {len(y)} training images of {data.name}")
    x_val, y_val = data.x_test, data.y_test
    if cell.val_size is not None:
        x_val, y_val = x_val[: cell.val_size], y_val[: cell.val_size]
    start = time.perf_counter()
    model = build_model(cell.architecture, data, cell.seed, cell.family)
    trained, history = finetune(model, x, y, cell.activation, cell.quantumness, cell.g,
                                epochs=cell.epochs, batch_size=cell.batch_size, lr=cell.lr,
                                seed=cell.seed, optimizer=cell.optimizer, momentum=cell.momentum,
                                gradient=cell.gradient)
    trained_at = time.perf_counter()
    sim = simulate(trained, x_val, activation=cell.activation, quantumness=cell.quantumness,
                   g=cell.g, shots=cell.shots, seed=cell.seed, keep_bits=False)
    done = time.perf_counter()
    return {
        **dict(zip(CELL_FIELDS, cell.key())),
        "val_error": f"{1.0 - sim.accuracy(y_val):.6f}",
        "val_vote_error": f"{1.0 - sim.vote_accuracy(y_val, cell.vote):.6f}",
        "val_shot_error": f"{1.0 - sim.shot_accuracy(y_val):.6f}",
        "train_loss": f"{history.history['loss'][-1]:.6f}",
        "train_seconds": f"{trained_at - start:.2f}",
        "eval_seconds": f"{done - trained_at:.2f}",
    }


CELL_FIELDS = tuple(Cell.__dataclass_fields__)
