"""What one simulation computes how: decided once, before the first block.

- hidden layers with integer sums take the table path (``fused``), their tables made here
  (and kept for the next simulation of the same network at the same setting) — at τ = 0
  their sign steps instead, whatever their size;
- spin values — hidden layers' outputs and the max-pools, reshapes, gathers and
  concatenations of them — are kept as bits (uint8) and rearranged or OR-pooled as bits;
- on the bit-packed path (``packed``) every ±1 dense layer or convolution reading spins runs
  on packed bits, and each hidden layer packs its bits in the layout its first reader needs;
  an integer layer without a table takes its u from its packed sums in one pass
  (``packed.preact``)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..ir import Conv2D, Dense, Gather, Network, Reshape
from ..ir.network import ENCODER
from ..ir.ops import SPIN_PRESERVING
from .fused import SignSteps, find_fused_layers, half_angle_tables, reach, sign_steps, threshold_table


class Plan:
    """The fused layers and their tables, the spin values, the packed linears/layouts and the
    pre-activations made from packed sums."""

    def __init__(self, net: Network, rows: int, by_sign: bool = False):
        """``by_sign``: every hidden layer's law depends on the sign of u alone (τ = 0, no
        angles): fused layers take ``SignSteps``, at any size."""
        self.net = net
        self.by_sign = by_sign
        self.fused = find_fused_layers(net, rows, by_sign)
        skipped = {id(s) for f in self.fused.values() for s in f.steps}
        self.steps = [s for s in net.steps if s.stage != ENCODER and id(s) not in skipped]
        self.spins = _spin_values(net)
        self.exact32 = {s.output for s in self.steps if _exact_in_float32(s.op) and s.inputs[0] in self.spins}
        self.tables: dict[int, tuple] = {}  # hidden layer → (table, index offset of z = 0)
        self.linears: dict[str, object] = {}  # value → packed form of the step writing it
        self.fused_linears: dict[int, object] = {}  # hidden layer → packed form of its linear
        self.layouts: dict[int, object] = {}  # hidden layer → layout its packed bits take
        self.preacts: dict[int, object] = {}  # hidden layer → its u from packed sums (no table)
        self.rows = rows
        self.packed = False

    def build(self, act, by_angle: bool, packed: bool, noise=None) -> None:
        """Make the tables — thresholds, or half angles when ``by_angle`` — and, when
        ``packed``, the packed linears and layouts. On the packed path a table is
        (entries, index offset, shift, kind): halved where the sums' parity is fixed, the
        (cos, sin) pairs side by side (one cache line per lookup), and noise without memory
        folded into thresholds (the same float32 steps as ``neurons.angle_law``)."""
        self.packed = packed
        for k, f in self.fused.items():
            strict = self.net.hidden[k].strict
            if self.by_sign:
                steps = TABLES.get((tuple(s.op for s in f.steps), act, strict, "steps"),
                                   lambda: (sign_steps(f, act, strict), "steps"))[0]
                self.tables[k] = (steps, None, 0, "steps") if packed else (steps, None)
                continue
            halved = packed and f.fixed_parity
            layer_noise = None if noise is None else noise[k]
            key = (tuple(s.op for s in f.steps), act, strict, by_angle, packed, halved, layer_noise)
            table, kind = TABLES.get(key, lambda: _table(f, act, strict, by_angle, packed, halved, layer_noise))
            self.tables[k] = (table, f.index_offset(halved), int(halved), kind) if packed else (table, f.index_offset())
        if packed:
            self._pack()

    def _pack(self) -> None:
        from .packed.linear import packable, packed_linear
        from .packed.preact import Preactivation

        readers = []  # (source value, packed linear) in execution order
        for step in self.steps:
            if packable(step.op) and step.inputs[0] in self.spins:
                self.linears[step.output] = packed_linear(step.op)
                readers.append((step.inputs[0], self.linears[step.output]))
        for k, f in sorted(self.fused.items()):
            if packable(f.linear) and f.source in self.spins:
                self.fused_linears[k] = packed_linear(f.linear)
                readers.append((f.source, self.fused_linears[k]))
        # Integer layers without a table (too few rows for one): u from the packed sums in one pass.
        for k, f in find_fused_layers(self.net, self.rows, by_sign=True).items():
            if k not in self.fused and f.steps[-1].output in self.linears and f.scale.size:
                self.preacts[k] = Preactivation(f)
        first = {}
        for source, linear in readers:
            k = self.hidden_behind(source)
            if k is not None and k not in first:
                first[k] = linear.layout
        self.layouts = first

    def hidden_behind(self, value: str) -> int | None:
        """The hidden layer whose bits ``value`` holds in the same flat order (through
        reshapes), or None."""
        net = self.net
        while value not in net.layer_of:
            step = net.producer.get(value)
            if step is None or not isinstance(step.op, Reshape):
                return None
            value = step.inputs[0]
        return net.layer_of[value]

    def widest(self) -> int:
        """The largest value a block computes, per row (blocks are sized by it)."""
        return max(int(np.prod(self.net.shapes[s.output], dtype=np.int64)) for s in self.steps)

    def work(self, rows: int) -> float:
        """Rows × (Σ multiply-adds of the linear steps / 256 + Σ neurons): about the NumPy path's
        cost in units of 5 ns (``packed.MIN_WORK``)."""
        net = self.net
        macs = 0
        for step in self.steps:
            if isinstance(step.op, Dense):
                macs += step.op.n_in * step.op.n_out
            elif isinstance(step.op, Conv2D):
                macs += step.op.out_size * int(np.prod(step.op.kernel.shape[:3]))
        for f in self.fused.values():
            op = f.linear
            macs += op.n_in * op.n_out if isinstance(op, Dense) else op.out_size * int(np.prod(op.kernel.shape[:3]))
        return rows * (macs / 256 + net.n_neurons)


def _spin_values(net: Network) -> set[str]:
    """Hidden outputs and the bit glue of them (core and head steps)."""
    spins = set(net.layer_of)
    for step in net.steps:
        if step.stage == ENCODER or not isinstance(step.op, SPIN_PRESERVING):
            continue
        padded = isinstance(step.op, Gather) and step.op.index.size and step.op.index.min() < 0
        if not padded and all(v in spins for v in step.inputs):
            spins.add(step.output)
    return spins


def _table(f, act, strict: bool, by_angle: bool, packed: bool, halved: bool, noise) -> tuple:
    """(table, kind) of fused layer f: its thresholds, or half angles — (cos, sin) on the NumPy
    path, pairs [entries, 2] on the packed one — or, with noise and no memory on the packed
    path, the noisy law folded into thresholds where the table rows allow it."""
    if not by_angle:
        return threshold_table(f, act, strict, halved), "thresholds"
    halves = half_angle_tables(f, act, strict, halved)
    if not packed:
        return halves, "halves"
    folded = None if act.memory else _fold_noise(f, halves, noise)
    if folded is not None:
        return folded, "thresholds"
    return np.stack(halves, axis=-1), "halves"


class _TableCache:
    """The last tables made, up to ``budget`` bytes, so that repeated simulations of one
    network at one setting (batches of samples, repeated runs) build them once. Keyed by the
    ops that define the layer (frozen, compared by identity), the activation and the rest."""

    def __init__(self, budget: int):
        self.budget = budget
        self._entries: OrderedDict = OrderedDict()

    def get(self, key, make):
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
            return hit
        value = make()
        if _nbytes(value[0]) <= self.budget:
            self._entries[key] = value
            while sum(_nbytes(v[0]) for v in self._entries.values()) > self.budget:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()


def _nbytes(table) -> int:
    if isinstance(table, SignSteps):
        return table.lo.nbytes + table.hi.nbytes
    return sum(t.nbytes for t in table) if isinstance(table, tuple) else table.nbytes


#: Tables of recent simulations (256 MB at most).
TABLES = _TableCache(256 << 20)


def _fold_noise(fused, halves, noise) -> np.ndarray | None:
    """Thresholds of the noisy law at every table entry, where each table row's neurons share
    their noise (one row per neuron, or the same coefficients along a channel); else None."""
    from .neurons import angle_law
    from .thresholds import quantize

    n_rows = len(fused.table_scale)
    coeffs = np.stack([noise.alpha, noise.beta, noise.gamma])  # [3, width]
    first = np.zeros(n_rows, dtype=np.int64)
    first[fused.rows[::-1]] = np.arange(len(fused.rows))[::-1]  # a neuron of each table row
    if not np.array_equal(coeffs[:, first][:, fused.rows], coeffs):
        return None
    per_row = type(noise)(*(c[first][:, None] for c in coeffs))
    cos_half, sin_half = (t.reshape(n_rows, -1) for t in halves)
    return quantize(angle_law(cos_half, sin_half, per_row)).ravel()


def _exact_in_float32(op) -> bool:
    """An integer kernel whose sums of spins stay below 2²⁴: exact in float32."""
    if not isinstance(op, (Dense, Conv2D)) or op.kernel_kind == "real":
        return False
    return reach(op) < (1 << 24)
