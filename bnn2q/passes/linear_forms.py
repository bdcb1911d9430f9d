"""LinearForms (an analysis): each hidden layer's pre-activations as affine functions of the
spins of earlier layers and of auxiliary values — what dynamic feed-forward must compute.

For every value v of the core, v = M y + V a + c, where y stacks the spins of all hidden layers
(register m's order), a the auxiliary values (``ir.controller``) defined so far, and c a
constant — or depends on the sample (``input``) when the encoder feeds v and no sample is baked
in. Linear glue (dense, convolution, affine, add, concatenate, average pooling, layout) maps
forms to forms. Each unit of a nonlinear step between signs — ReLU and its relatives, clips,
max/min of tensors, max-pooling of sums (or an OR of bits), products — becomes one auxiliary
value whose arguments are its inputs' forms, and later forms read it as a variable. A monotone
elementwise step right before a sign (a hard-tanh clip) is kept apart instead, as that layer's
``fns``: the neuron's angle is then angle(fn(u)), a function of its own sum."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import TargetError
from ..host.kernels import Kernels
from ..ir import (INPUT, Add, Affine, AvgPool2D, Clip, Concat, Conv2D, Dense, Elementwise, Gather, GlobalAvgPool,
                  MaxPool2D, Maximum, Minimum, Multiply, Network, Reshape)
from ..ir.controller import AuxValue, Terms, UnitFn
from ..ir.network import CORE, ENCODER, HEAD

#: Units × (bits + auxiliary values) above which the dense forms would not fit in memory.
MAX_ENTRIES = 1 << 26


@dataclass(frozen=True)
class Form:
    """v = matrix · y + aux · a + constant per unit; ``input``: the unit's constant depends on
    the sample. ``aux`` has a column per auxiliary value defined when the form was made."""

    matrix: np.ndarray
    constant: np.ndarray
    input: np.ndarray
    aux: np.ndarray

    def terms(self, j: int) -> Terms:
        """Unit j's form (its constant must not depend on the sample)."""
        row, arow = self.matrix[j], self.aux[j]
        return Terms(tuple((int(b), float(row[b])) for b in np.flatnonzero(row)),
                     tuple((int(t), float(arow[t])) for t in np.flatnonzero(arow)), float(self.constant[j]))


@dataclass(frozen=True)
class LayerForm:
    """A hidden layer's pre-activation: u_j = fns[j](form_j), or form_j when ``fns`` is None."""

    form: Form
    fns: tuple | None = None


@dataclass(frozen=True)
class FeedForward:
    """Every hidden layer's pre-activation (None for those the encoder computes) and the
    auxiliary values they read."""

    layers: list
    aux: list


def linear_forms(net: Network, x: np.ndarray | None = None) -> FeedForward:
    """The forms of each hidden layer's pre-activation (``x``: one sample, or None)."""
    return _Analysis(net, x).run()


class _Analysis:
    def __init__(self, net: Network, x):
        self.net, self.x = net, x
        self.n_bits = net.n_neurons
        self.aux: list[AuxValue] = []
        self.kernels = Kernels()

    def size(self, v) -> int:
        return int(np.prod(self.net.shapes[v], dtype=np.int64))

    def form(self, n: int, constant=None, input_=False) -> Form:
        return Form(np.zeros((n, self.n_bits)), np.zeros(n) if constant is None else constant,
                    np.full(n, input_, dtype=bool), np.zeros((n, len(self.aux))))

    def run(self) -> FeedForward:
        net = self.net
        starts = np.cumsum([0] + net.widths)
        self._check_size()
        numeric = {}
        if self.x is not None:
            numeric[INPUT] = np.asarray(self.x, dtype=np.float64).reshape((1,) + net.input_shape)
        forms: dict[str, Form] = {}
        layers: list = [None] * len(net.hidden)
        preacts = {layer.preactivation: k for k, layer in enumerate(net.hidden)}
        for step in net.steps:
            if step.stage == HEAD:  # the host computes the logits from the bits afterwards
                continue
            n = self.size(step.output)
            if step.stage == ENCODER:
                if self.x is None:
                    forms[step.output] = self.form(n, input_=True)
                else:
                    args = [numeric[v] for v in step.inputs]
                    numeric[step.output] = self.kernels.run(step.op, args, [net.shapes[v] for v in step.inputs],
                                                            net.shapes[step.output])
                    forms[step.output] = self.form(n, numeric[step.output].reshape(-1))
                continue
            k = net.layer_of.get(step.output)
            if k is not None:
                f = self.form(n)
                f.matrix[:, starts[k]: starts[k + 1]] = np.eye(n)
                forms[step.output] = f
                continue
            args = [self._pad(forms[v]) for v in step.inputs]
            if step.output in preacts and self._foldable(step):
                layers[preacts[step.output]] = LayerForm(args[0], _unit_fns(step.op, net.shapes[step.output]))
                continue
            forms[step.output] = self._propagate(step, args)
        for layer, k in preacts.items():
            if layers[k] is None and net.producer[layer].stage != ENCODER:
                layers[k] = LayerForm(self._pad(forms[layer]))
        return FeedForward(layers, self.aux)

    def _check_size(self) -> None:
        problem = too_large(self.net)
        if problem:
            raise TargetError(problem)

    def _foldable(self, step) -> bool:
        """A monotone elementwise step read only by the layer's sign."""
        if not isinstance(step.op, (Elementwise, Clip)) or len(self.net.consumers.get(step.output, [])) != 1:
            return False
        return all(fn.monotone for fn in _unit_fns(step.op, self.net.shapes[step.output]))

    def _pad(self, f: Form) -> Form:
        grow = len(self.aux) - f.aux.shape[1]
        if grow == 0:
            return f
        return Form(f.matrix, f.constant, f.input, np.pad(f.aux, ((0, 0), (0, grow))))

    def _new_aux(self, values: list[AuxValue]) -> Form:
        """A form that reads the auxiliary values ``values`` (one per unit), now defined."""
        first = len(self.aux)
        self.aux += values
        f = self.form(len(values))
        f.aux[np.arange(len(values)), first + np.arange(len(values))] = 1.0
        return f

    def _propagate(self, step, args: list[Form]) -> Form:
        op, net = step.op, self.net
        if isinstance(op, (Dense, Conv2D, AvgPool2D, GlobalAvgPool)):
            (f,) = args
            w = op.matrix()
            return Form(w @ f.matrix, w @ f.constant, (np.abs(w) @ f.input) > 0, w @ f.aux)
        if isinstance(op, Affine):
            (f,) = args
            a, b = op.full(net.shapes[step.output])
            return Form(a[:, None] * f.matrix, a * f.constant + b, f.input, a[:, None] * f.aux)
        if isinstance(op, Add):
            return Form(sum(f.matrix for f in args), sum(f.constant for f in args),
                        np.logical_or.reduce([f.input for f in args]), sum(f.aux for f in args))
        if isinstance(op, Reshape):
            return args[0]
        if isinstance(op, Gather):
            return _take(args[0], op.index)
        if isinstance(op, Concat):
            shapes = [net.shapes[v] for v in step.inputs]
            positions = int(np.prod(shapes[0][:-1], dtype=np.int64))
            order = np.concatenate([start + np.arange(positions * s[-1]).reshape(positions, s[-1])
                                    for start, s in zip(np.cumsum([0] + [positions * s[-1] for s in shapes]), shapes)],
                                   axis=1).reshape(-1)
            joined = Form(*(np.concatenate([getattr(f, k) for f in args]) for k in ("matrix", "constant", "input", "aux")))
            return _take(joined, order)
        return self._nonlinear(step, args)

    def _nonlinear(self, step, args: list[Form]) -> Form:
        op, net = step.op, self.net
        out_shape = net.shapes[step.output]
        n = self.size(step.output)
        if any(f.input.any() for f in args):
            raise TargetError(f"{type(op).__name__} {op.name!r} reads the input as well as measured bits: the "
                              "values it computes depend on the sample; compile with the sample baked in "
                              "(inputs=, --sample) or use strategy='layerwise'")
        if isinstance(op, (Elementwise, Clip)):
            (f,) = args
            fns = _unit_fns(op, out_shape)
            return self._new_aux([AuxValue("fn", (f.terms(j),), fns[j], op.name) for j in range(n)])
        if isinstance(op, MaxPool2D):
            (f,) = args
            groups = op.groups()
            return self._new_aux([AuxValue("max", tuple(f.terms(int(i)) for i in dict.fromkeys(g.tolist())),
                                           source=op.name) for g in groups])
        if isinstance(op, (Maximum, Minimum, Multiply)):
            kind = {Maximum: "max", Minimum: "min", Multiply: "mul"}[type(op)]
            maps = [_broadcast_index(net.shapes[v], out_shape) for v in step.inputs]
            return self._new_aux([AuxValue(kind, tuple(f.terms(int(m[j])) for f, m in zip(args, maps)), source=op.name)
                                  for j in range(n)])
        raise TargetError(f"{type(op).__name__} {op.name!r} acts on values fed by measured bits and dynamic "
                          "feed-forward cannot compute it; use strategy='layerwise'")


def too_large(net: Network) -> str | None:
    """Why the dense forms of ``net``'s feed-forward would not fit in memory, or None."""
    size = lambda v: int(np.prod(net.shapes[v], dtype=np.int64))  # noqa: E731
    core = [s for s in net.steps if s.stage != HEAD]
    widest = max(size(s.output) for s in core)
    extra = sum(size(s.output) for s in core if s.stage != ENCODER and s.output not in net.layer_of
                and not isinstance(s.op, (Dense, Conv2D, Affine, AvgPool2D, GlobalAvgPool, Add, Concat, Reshape,
                                          Gather)))
    if widest * (net.n_neurons + extra) > MAX_ENTRIES:
        return (f"{net.source}: dynamic feed-forward of {net.n_neurons} bits into values of {widest} units is too "
                "large to compile into one circuit; use strategy='layerwise'")
    return None


def _take(f: Form, index: np.ndarray) -> Form:
    """Units of f by flat index (−1: a zero unit, as padding)."""
    keep = index >= 0
    idx = np.maximum(index, 0)
    return Form(np.where(keep[:, None], f.matrix[idx], 0.0), np.where(keep, f.constant[idx], 0.0),
                np.where(keep, f.input[idx], False), np.where(keep[:, None], f.aux[idx], 0.0))


def _broadcast_index(in_shape, out_shape) -> np.ndarray:
    """Flat input unit of each flat output unit when ``in_shape`` broadcasts onto ``out_shape``."""
    padded = (1,) * (len(out_shape) - len(in_shape)) + tuple(in_shape)
    index = np.arange(int(np.prod(in_shape, dtype=np.int64))).reshape(padded)
    return np.broadcast_to(index, out_shape).reshape(-1)


def _unit_fns(op, shape) -> tuple:
    """The UnitFn of every unit of an Elementwise or Clip op on a value of ``shape``."""
    n = int(np.prod(shape, dtype=np.int64))
    if isinstance(op, Clip):
        low, high = (np.broadcast_to(b, shape).reshape(-1) for b in (op.low, op.high))
        return tuple(UnitFn("clip", (float(low[j]), float(high[j]))) for j in range(n))
    alpha = np.broadcast_to(op.alpha, shape).reshape(-1)
    if op.fn == "hard_tanh":
        return tuple(UnitFn("clip", (-float(alpha[j]), float(alpha[j]))) for j in range(n))
    if op.fn == "prelu":
        return tuple(UnitFn("prelu", (float(alpha[j]),)) for j in range(n))
    return (UnitFn(op.fn),) * n


#: How dynamic feed-forward handles a core step that is not affine (``classical_steps``).
FOLDED, INTEGER, REAL = "folded", "integer", "real"


def classical_steps(net: Network) -> list[tuple[object, str]]:
    """The core steps a neuron reads that are not affine, each with what dynamic feed-forward
    needs for it: ``folded`` (a monotone function right before a sign: part of the level chain),
    ``integer`` (a ReLU, clip, max or max-pool: comparisons and assignments on integer sums)
    or ``real`` (tanh, sigmoid, a leaky slope, a product: real arithmetic at run time)."""
    out = []
    feeds = _feeding(net)
    preacts = {layer.preactivation for layer in net.hidden}
    for step in net.steps:
        op = step.op
        if step.stage != CORE or step.output in net.layer_of or not feeds.get(step.output, False):
            continue
        if isinstance(op, (Elementwise, Clip)):
            fns = _unit_fns(op, net.shapes[step.output])
            if step.output in preacts and len(net.consumers.get(step.output, [])) == 1 and all(f.monotone for f in fns):
                out.append((op, FOLDED))
            else:
                out.append((op, INTEGER if all(f.bounds is not None for f in fns) else REAL))
        elif isinstance(op, (MaxPool2D, Maximum, Minimum)):
            out.append((op, INTEGER))
        elif isinstance(op, Multiply):
            out.append((op, REAL))
    return out


def reads_the_input(net: Network) -> str | None:
    """The first hidden layer fed by measured bits that also reads the sample (a core step reads
    an encoder value on its way), or None: dynamic feed-forward then needs the sample baked in."""
    sample = {INPUT} | {s.output for s in net.steps if s.stage == ENCODER}
    for step in net.steps:
        if step.stage == CORE and step.output not in net.layer_of and any(v in sample for v in step.inputs):
            sample.add(step.output)
    for layer in net.hidden:
        if net.producer[layer.preactivation].stage == CORE and layer.preactivation in sample:
            return layer.name
    return None


def _feeding(net: Network) -> dict:
    """Whether each value reaches a hidden layer's pre-activation through core steps."""
    feeds: dict[str, bool] = {}
    for step in reversed(net.steps):
        if step.output in net.layer_of:
            feeds[net.hidden[net.layer_of[step.output]].preactivation] = True
        if feeds.get(step.output) and step.output not in net.layer_of:
            for v in step.inputs:
                feeds[v] = True
    return feeds
