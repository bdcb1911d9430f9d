"""Hidden layers whose sums are integers: pre-activations by BLAS, outcomes by table lookup.

A layer whose pre-activation is u = a · max_pool(z) + c with z = K y — K an integer kernel
(±1, possibly with zeros) applied to spins y of an earlier layer, reshapes anywhere between —
has integer sums z ∈ [−R, R] (R the largest row of |K|), computed exactly by a float32 matmul
(|z| < 2²⁴) or by popcounts on packed bits (``packed``). Each
neuron's outcome law then takes at most 2R + 1 forms: they are computed once, by the
activation's own math, into a table, and each shot looks its entry up instead of evaluating
the activation. The table is per channel when (a, c) are (convolutions with batch-norm), else
per neuron. At τ = 0 a law depends on the sign of u alone, and each neuron needs only the
interval of sums on which it fires (``SignSteps``): any layer size, however few the rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir import Affine, Conv2D, Dense, MaxPool2D, Network, Reshape
from ..ir.network import CORE
from ..ir.ops import SPIN_PRESERVING
from .derived import derived
from .neurons import half_angle
from .thresholds import quantize

#: Float32 holds table indices exactly below 2²⁴.
MAX_TABLE = 1 << 24
#: A table entry costs one evaluation of the law; an element off the table path costs that
#: and its cast, pool and affine step, and the tables are kept for the next simulation
#: (``plan.TABLES``): a table up to this many times the elements it replaces pays (BinaryAlexNet
#: at 100 samples × 1 shot: 127 → 114 ms on the first call, 130 → 83 ms on the next).
TABLE_PAYS = 4


@dataclass(frozen=True, eq=False)
class FusedLayer:
    """Hidden layer ``layer`` computed from ``source`` (spins) by ``linear`` → ``pool`` →
    (``scale``, ``offset``), the steps in ``steps`` replaced."""

    layer: int
    source: str
    linear: object
    pool: MaxPool2D | None
    scale: np.ndarray
    offset: np.ndarray
    steps: tuple
    reach: int
    rows: np.ndarray  # table row of each neuron
    table_scale: np.ndarray
    table_offset: np.ndarray

    @property
    def span(self) -> int:
        return 2 * self.reach + 1

    @property
    def fixed_parity(self) -> bool:
        """Whether every sum has the parity of the reach R: a ±1 kernel without padding sums
        R = n terms ±1 (max-pooling keeps the parity). Then only every other z occurs, and a
        halved table holds z = −R, −R + 2, …, R."""
        return self.linear.kernel_kind == "binary" and not any(getattr(self.linear, "padding", ()))

    def table_u(self, halved: bool = False) -> np.ndarray:
        """u for every (table row, z): float64 [n_rows, span] (halved: [n_rows, R + 1])."""
        z = np.arange(-self.reach, self.reach + 1, 2 if halved else 1, dtype=np.float64)
        return self.table_scale[:, None] * z[None, :] + self.table_offset[:, None]

    def index_offset(self, halved: bool = False) -> np.ndarray:
        """Flat table index of each neuron at z = 0, int64: its entry is at offset + z, or at
        offset + (z >> 1) in a halved table ((z + R) / 2 = (z >> 1) + ⌈R / 2⌉ when z ≡ R)."""
        if halved:
            return self.rows.astype(np.int64) * (self.reach + 1) + (self.reach + 1) // 2
        return self.rows.astype(np.int64) * self.span + self.reach


def find_fused_layers(net: Network, rows: int, by_sign: bool = False) -> dict[int, FusedLayer]:
    """The hidden layers that take the table path when ``rows`` shot-rows are simulated
    (``by_sign``: their laws depend on the sign of u alone, τ = 0: ``SignSteps``, no tables).
    Sign steps are two integers a neuron, at any size; a table pays when it is not much larger
    than the evaluations it replaces. Either way the sums stay exact in float32."""
    out = {}
    for k, f in integer_layers(net).items():
        evaluations = min(MAX_TABLE, TABLE_PAYS * rows * net.hidden[k].width)
        if f.span <= MAX_TABLE and (by_sign or len(f.table_scale) * f.span <= evaluations):
            out[k] = f
    return out


def integer_layers(net: Network) -> dict[int, FusedLayer]:
    """The hidden layers whose sums are integers (an integer kernel on spins → optional
    max-pool → optional affine step), whatever their table would cost; made once per network."""
    return derived(net, "integer layers", lambda: {k: f for k in range(len(net.hidden))
                                                   if (f := _match(net, k)) is not None})


def _match(net: Network, k: int) -> FusedLayer | None:
    layer = net.hidden[k]
    value, chain = layer.preactivation, []
    affine = pool = linear = None
    shape = net.shapes[value]
    while True:
        step = net.producer.get(value)
        if step is None or step.stage != CORE or len(net.consumers.get(value, [])) != 1:
            return None
        chain.append(step)
        if isinstance(step.op, Reshape):  # the flat order, which the neurons follow, stays
            pass
        elif isinstance(step.op, Affine) and affine is None and pool is None and linear is None:
            affine = step.op
            shape = net.shapes[step.output]
        elif isinstance(step.op, MaxPool2D) and pool is None and linear is None:
            pool = step.op
        elif isinstance(step.op, (Dense, Conv2D)):
            linear = step.op
            break
        else:
            return None
        value = step.inputs[0]
    source = chain[-1].inputs[0]
    if linear.kernel_kind == "real" or not _is_spins(net, source):
        return None
    n_sums = linear.n_out if isinstance(linear, Dense) else linear.out_size
    if n_sums == 0:
        return None
    if affine is None:
        scale, offset = np.ones(layer.width), np.zeros(layer.width)
    else:
        scale, offset = affine.full(shape)
    # One table row per channel when (a, c) are the same at every position, else per neuron.
    channels = shape[-1]
    per_channel = len(shape) > 1 and np.all(scale.reshape(-1, channels) == scale[:channels]) and \
        np.all(offset.reshape(-1, channels) == offset[:channels])
    if per_channel:
        table_rows = np.tile(np.arange(channels), layer.width // channels)
        t_scale, t_offset = scale[:channels], offset[:channels]
    else:
        table_rows = np.arange(layer.width)
        t_scale, t_offset = scale, offset
    return FusedLayer(k, source, linear, pool, scale, offset, tuple(chain), reach(linear), table_rows,
                      t_scale, t_offset)


def reach(linear) -> int:
    """R: the largest |sum| of an integer kernel over spins (its largest row of |K|)."""
    def make():
        weights = linear.matrix() if isinstance(linear, Dense) else linear.kernel.reshape(-1, linear.kernel.shape[-1]).T
        return int(np.abs(weights).sum(axis=1).max(initial=0))

    return derived(linear, "reach", make)


def _is_spins(net: Network, value: str) -> bool:
    """Whether ``value`` holds ±1 spins of the core (a sign's output, pooled or rearranged)."""
    if value in net.layer_of:
        return True
    step = net.producer.get(value)
    if step is None or step.stage != CORE or not isinstance(step.op, SPIN_PRESERVING):
        return False
    return all(_is_spins(net, v) for v in step.inputs)


def threshold_table(fused: FusedLayer, act, strict: bool, halved: bool = False) -> np.ndarray:
    """uint32 firing thresholds of every table entry (stateless activations)."""
    return quantize(act.p_one(fused.table_u(halved), strict=strict)).ravel()


def half_angle_tables(fused: FusedLayer, act, strict: bool, halved: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(cos θ/2, sin θ/2) of every table entry, float32 (the ancilla activation's rotation)."""
    cos_half, sin_half = half_angle(act, fused.table_u(halved), strict)
    return cos_half.ravel(), sin_half.ravel()


@dataclass(frozen=True, eq=False)
class SignSteps:
    """A fused layer at τ = 0, where each neuron's law takes two values, by the sign σ of u:
    σ_j = [lo_j ≤ z_j ≤ hi_j] (u = a z + c is monotone in z, so σ holds on an interval of
    sums) and the threshold is ``pair[σ]`` — two integers a neuron, no table of 2R + 1."""

    lo: np.ndarray  # int32 [width]
    hi: np.ndarray  # int32 [width]
    pair: np.ndarray  # uint32 [2]: thresholds at σ = 0 and σ = 1


def sign_steps(fused: FusedLayer, act, strict: bool) -> SignSteps:
    """The interval of sums on which each neuron's σ = [u ≥ 0] (``strict``: u > 0) holds, u
    computed as ``table_u`` computes it (float64 a · z + c: monotone in z, rounding is), found
    by bisection; ``pair`` is the activation's law at u = −1 and u = +1."""
    scale, offset, top = fused.table_scale, fused.table_offset, fused.reach
    falling = scale < 0

    def rises(z):  # [u(z) ≥ 0] XOR falling: non-decreasing in z on every table row
        u = scale * z.astype(np.float64) + offset
        return (u > 0 if strict else u >= 0) != falling

    # first: the smallest z ∈ [−R, R] where ``rises`` holds (R + 1: nowhere).
    first, last = np.full(len(scale), -top, np.int64), np.full(len(scale), top + 1, np.int64)
    while np.any(first < last):
        mid = (first + last) // 2
        up = rises(mid) & (first < last)
        last = np.where(up, mid, last)
        first = np.where(up | (first >= last), first, mid + 1)
    lo = np.where(falling, -top, first)
    hi = np.where(falling, first - 1, top)
    pair = quantize(act.p_one(np.array([-1.0, 1.0]), strict=strict))
    rows = fused.rows
    return SignSteps(np.ascontiguousarray(lo[rows], np.int32), np.ascontiguousarray(hi[rows], np.int32), pair)
