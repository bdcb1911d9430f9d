"""LinearForms (an analysis): each hidden layer's pre-activations as affine functions of the
spins of earlier layers — what dynamic feed-forward must compute.

For every value v of the core, v = M y + c, where y stacks the spins of all hidden layers
(register m's order) and c is a constant — or depends on the sample (``input``) when the
encoder feeds v and no sample is baked in. Linear glue (dense, convolution, affine, add,
concatenate, average pooling, layout) maps forms to forms; a max-pool of values fed by measured
bits (or an OR of bits) is not affine, and no integer feed-forward can compute it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import TargetError
from ..host.kernels import Kernels
from ..ir import INPUT, Add, Affine, AvgPool2D, Concat, Conv2D, Dense, Gather, GlobalAvgPool, Network, Reshape
from ..ir.network import ENCODER, HEAD

#: Units × bits above which the dense forms would not fit in memory.
MAX_ENTRIES = 1 << 26


@dataclass(frozen=True)
class Form:
    """v = matrix · y + constant per unit; ``input``: the unit's constant depends on the sample."""

    matrix: np.ndarray
    constant: np.ndarray
    input: np.ndarray


def linear_forms(net: Network, x: np.ndarray | None = None) -> list[Form]:
    """The form of each hidden layer's pre-activation (``x``: one sample, or None)."""
    n_bits = net.n_neurons
    starts = np.cumsum([0] + net.widths)
    size = lambda v: int(np.prod(net.shapes[v], dtype=np.int64))  # noqa: E731
    widest = max(size(s.output) for s in net.steps if s.stage != HEAD)
    if widest * n_bits > MAX_ENTRIES:
        raise TargetError(
            f"{net.source}: dynamic feed-forward of {n_bits} bits into values of {widest} units is too "
            "large to compile into one circuit; use strategy='layerwise'"
        )
    numeric = {}
    if x is not None:
        kernels = Kernels()
        numeric[INPUT] = np.asarray(x, dtype=np.float64).reshape((1,) + net.input_shape)
    forms: dict[str, Form] = {}
    for step in net.steps:
        if step.stage == HEAD:  # the host computes the logits from the bits afterwards
            continue
        n = size(step.output)
        if step.stage == ENCODER:
            if x is None:
                forms[step.output] = Form(np.zeros((n, n_bits)), np.zeros(n), np.ones(n, dtype=bool))
            else:
                args = [numeric[v] for v in step.inputs]
                numeric[step.output] = kernels.run(step.op, args, [net.shapes[v] for v in step.inputs],
                                                   net.shapes[step.output])
                forms[step.output] = Form(np.zeros((n, n_bits)), numeric[step.output].reshape(-1),
                                          np.zeros(n, dtype=bool))
            continue
        k = net.layer_of.get(step.output)
        if k is not None:
            matrix = np.zeros((n, n_bits))
            matrix[:, starts[k]: starts[k + 1]] = np.eye(n)
            forms[step.output] = Form(matrix, np.zeros(n), np.zeros(n, dtype=bool))
            continue
        forms[step.output] = _propagate(step, [forms[v] for v in step.inputs], net)
    return [forms[layer.preactivation] for layer in net.hidden]


def _propagate(step, args: list[Form], net: Network) -> Form:
    op = step.op
    if isinstance(op, (Dense, Conv2D, AvgPool2D, GlobalAvgPool)):
        (f,) = args
        w = op.matrix()
        return Form(w @ f.matrix, w @ f.constant, (np.abs(w) @ f.input) > 0)
    if isinstance(op, Affine):
        (f,) = args
        a, b = op.full(net.shapes[step.output])
        return Form(a[:, None] * f.matrix, a * f.constant + b, f.input)
    if isinstance(op, Add):
        return Form(sum(f.matrix for f in args), sum(f.constant for f in args),
                    np.logical_or.reduce([f.input for f in args]))
    if isinstance(op, Reshape):
        return args[0]
    if isinstance(op, Gather):
        (f,) = args
        idx = op.index
        keep = idx >= 0
        matrix = np.where(keep[:, None], f.matrix[np.maximum(idx, 0)], 0.0)
        return Form(matrix, np.where(keep, f.constant[np.maximum(idx, 0)], 0.0),
                    np.where(keep, f.input[np.maximum(idx, 0)], False))
    if isinstance(op, Concat):
        shapes = [net.shapes[v] for v in step.inputs]
        positions = int(np.prod(shapes[0][:-1], dtype=np.int64))
        pieces = [(f.matrix.reshape(positions, s[-1], -1), f.constant.reshape(positions, s[-1]),
                   f.input.reshape(positions, s[-1])) for f, s in zip(args, shapes)]
        n = sum(s[-1] for s in shapes) * positions
        return Form(np.concatenate([p[0] for p in pieces], axis=1).reshape(n, -1),
                    np.concatenate([p[1] for p in pieces], axis=1).reshape(n),
                    np.concatenate([p[2] for p in pieces], axis=1).reshape(n))
    raise TargetError(
        f"{type(op).__name__} {op.name!r} acts on values fed by measured bits and is not linear "
        "(a max-pool of sums or an OR of bits): dynamic feed-forward cannot compute it; use "
        "strategy='layerwise'"
    )
