"""Measuring hidden layer k of a block: its outcome laws, its bits, its carried state.

A layer's law comes from its table (``fused``: looked up at the integer sums) or from its
pre-activation u (``value``), one row per sample when u depends on the input alone. Two
engines compute the same thresholds from the same words: NumPy (``neurons``) and the packed
kernels (``packed.fire``), which also pack the bits for the next layer in the same pass."""

from __future__ import annotations

import math

import numpy as np

from .brackets import Bracketed, LawTable, fire_numpy, given, settle
from .fused import SignSteps
from .neurons import angle_law, collapse, fire, half_angle, rotate, state_law
from .thresholds import quantize


def measure(sampler, block, k: int, words, out: np.ndarray) -> None:
    """Hidden layer k's outcomes into ``out`` (uint8 [rows, width]); recorded in ``block``."""
    if sampler.packed:
        _measure_packed(sampler, block, k, words, out)
    else:
        bits = _measure_numpy(sampler, block, k, words, out.view(np.bool_).reshape(block.rows + (-1,)))
        block.measured(k, bits.view(np.uint8), None)


def _at_step(act, u: np.ndarray, strict: bool, law) -> np.ndarray:
    """``law(u)`` of a layer at τ = 0, where it depends on σ = [u ≥ 0] (``strict``: u > 0) alone:
    evaluated at u = ±1 for each neuron and picked per element, not evaluated per element. A
    bool u is σ itself (``encode32``)."""
    if act.quantumness != 0.0:
        return law(u)
    pair = _sign_pair(law, u.shape[-1])
    fires = u if u.dtype == np.bool_ else (u > 0 if strict else u >= 0)
    return np.where(fires, pair[1], pair[0])


def _sign_pair(law, width: int) -> np.ndarray:
    """``law`` at u = −1 and u = +1 for each neuron, [2, width]."""
    return np.ascontiguousarray(law(np.repeat(np.array([[-1.0], [1.0]]), width, axis=1)))


def _fire_law(act, u, rep, strict, law, words, out, packed, layout) -> None:
    """Fire rows of a per-sample law: from the signs σ and the law's two values per neuron
    where u is σ (``encode32``), else from ``_at_step``'s thresholds."""
    from .packed.measure import fire_rows, fire_rows_signs

    if u.dtype == np.bool_:
        fire_rows_signs(u, _sign_pair(law, u.shape[-1]), rep, words, out, packed, layout)
    else:
        fire_rows(_at_step(act, u, strict, law), rep, words, out, packed, layout)


def _law(act, strict: bool):
    """Thresholds T(u) = quantize(p(u)), p in float64 whatever u's type (as ``brackets``
    bound it)."""
    return lambda v: quantize(act.p_one(np.asarray(v, dtype=np.float64), strict=strict))


def _real(u: np.ndarray) -> np.ndarray:
    """A pre-activation given as its sign σ (bool, at τ = 0) as ±1; others unchanged."""
    return np.where(u, np.float32(1.0), np.float32(-1.0)) if u.dtype == np.bool_ else u


def _sums(sampler, block, fused) -> np.ndarray:
    """z of a fused layer, [rows, width] (int32 when packed, else float32), max-pooled."""
    packed = sampler.plan.fused_linears.get(fused.layer)
    if packed is not None:
        z = block.sums(packed, fused.source)
    else:
        src = block.value(fused.source)
        z = sampler.kernels.run(fused.linear, [src], [sampler.net.shapes[fused.source]], _shape_out(fused.linear))
        z = z.reshape(block.n_rows, -1)
        if sampler.packed:
            z = z.astype(np.int32)
    pool = fused.pool
    if pool is not None and sampler.packed:
        from .packed.preact import max_pool

        width = math.prod(pool.shape_out)
        return max_pool(z, pool, sampler.ws.get(f"pooled{fused.layer}", (block.n_rows, width), np.int32))
    if pool is not None:
        z = sampler.kernels.run(pool, [z.reshape((block.n_rows,) + pool.in_shape)], [pool.in_shape], pool.shape_out)
        z = np.ascontiguousarray(z.reshape(block.n_rows, -1))
    return z


def _per_row(block, u: np.ndarray, width: int) -> tuple[np.ndarray, int]:
    """u as [R, width] rows and how many block rows share each (the shots, where u depends on
    the sample alone)."""
    rows = u.shape[0] * u.shape[1]
    return np.ascontiguousarray(u.reshape(rows, width)), block.n_rows // rows


def _preactivation(sampler, block, k: int) -> tuple[np.ndarray, int]:
    """u of hidden layer k as rows [R, width] and the block rows sharing each: from its packed
    sums in one pass where the plan has it (``packed.preact``), else step by step."""
    preact = sampler.plan.preacts.get(k)
    width = sampler.net.hidden[k].width
    if preact is None or sampler.dtype != np.float32:
        return _per_row(block, block.value(sampler.net.hidden[k].preactivation), width)
    z = block.sums(sampler.plan.linears[preact.linear_output], preact.fused.source)
    return preact(z, sampler.ws.get(f"u{k}", (block.n_rows, width), np.float32)), 1


def _measure_packed(sampler, block, k: int, words, out: np.ndarray) -> None:
    from .packed.measure import fire_rows, fire_rows_collapse, fire_steps, fire_table, measure_angles

    layer = sampler.net.hidden[k]
    fused = sampler.plan.fused.get(k)
    layout = sampler.plan.layouts.get(k)
    packed = sampler.ws.get(f"packed{k}", (block.n_rows, 0 if layout is None else layout.row), np.uint64)
    noise = None if sampler.noise is None else sampler.noise[k]
    last = k == len(sampler.net.hidden) - 1
    carry = sampler.carry
    if fused is not None:
        table = sampler.plan.tables[k]
        z = _sums(sampler, block, fused)
        if table[3] == "steps":
            fire_steps(z, table[0], words, out, packed, layout)
        elif table[3] == "thresholds":
            fire_table(z, table[:3], words, out, packed, layout)
        else:
            measure_angles((z, table[:3]), words, out, packed, layout, carry, sampler.act.fidelity, last, noise)
    elif k not in sampler.plan.preacts and isinstance(block.value(layer.preactivation), Bracketed):
        _fire_bracketed(sampler, block, block.value(layer.preactivation), words, out, packed, layout)
    else:
        u, rep = _preactivation(sampler, block, k)
        act, strict = sampler.act, layer.strict
        if not sampler.by_angle and act.quantumness > 0.0 and u.dtype == np.float32:
            # The law only where a word falls within one table step of its threshold.
            _fire_bracketed(sampler, block, given(u), words, out, packed, layout, LawTable.of(act, strict))
        elif not sampler.by_angle:
            _fire_law(act, u, rep, strict, _law(act, strict), words, out, packed, layout)
        elif carry is None and rep > 1:  # noise: a law of the angle alone, once per sample
            law = lambda v: quantize(angle_law(*half_angle(act, v, strict), noise))  # noqa: E731
            _fire_law(act, u, rep, strict, law, words, out, packed, layout)
        else:
            cos_half, sin_half = half_angle(sampler.act, _real(u), layer.strict)
            if carry is None:  # a law per row (u read measured bits): in the fused pass
                measure_angles((np.stack([cos_half, sin_half], axis=-1), rep), words, out, packed, layout, None,
                               sampler.act.fidelity, last, noise)
            elif carry.fresh:  # fresh qubits: law and both possible states after it, per row
                new0, new1 = rotate(np.float32(1.0), np.float32(0.0), False, cos_half, sin_half)
                f = 1.0 if last else sampler.act.fidelity
                thresholds = quantize(state_law(new0, new1, f, noise))
                if last:
                    fire_rows(thresholds, rep, words, out, packed, layout)
                else:
                    after = [collapse(new0, new1, np.full(new0.shape, b), carry.kraus_pairs) for b in (False, True)]
                    fire_rows_collapse(thresholds, np.stack([v for pair in after for v in pair], axis=1), rep,
                                       words, out, packed, layout, carry)
            else:
                halves = np.stack([cos_half, sin_half], axis=-1)
                measure_angles((halves, rep), words, out, packed, layout, carry, sampler.act.fidelity, last, noise)
    block.measured(k, out, packed if layout is not None else None)


def _fire_bracketed(sampler, block, values: Bracketed, words, out, packed, layout, law=None) -> None:
    """The first layer from float32 values (``brackets``; or any layer's exact values,
    ``brackets.given``): fire, pack, then settle the undecided elements from their float64
    values and pack their rows."""
    from .packed.brackets import fire, settled, undecided_pairs
    from .packed.measure import _layout_args

    law = law or sampler.law
    rep = block.n_rows // len(values.z)
    args = _layout_args(layout)
    rows, elements = undecided_pairs(fire(values, law, rep, words, out, packed, args), out)
    if rows.size:
        settled(rows, elements, settle(values, law, rows // rep, elements), words, out, packed, *args)


def _measure_numpy(sampler, block, k: int, words, out: np.ndarray) -> np.ndarray:
    layer = sampler.net.hidden[k]
    fused = sampler.plan.fused.get(k)
    if words is not None:
        words = words.reshape(out.shape)
    if fused is not None:
        table, offset = sampler.plan.tables[k]
        z = _sums(sampler, block, fused)
        if isinstance(table, SignSteps):
            sigma = (z >= table.lo) & (z <= table.hi)
            return fire(words, table.pair[sigma.view(np.uint8)].reshape(out.shape), out)
        index = sampler.ws.get("index", z.shape, np.intp)
        np.add(z, offset, out=index, casting="unsafe")  # exact: integers < 2²⁴
        if not sampler.by_angle:
            t = sampler.ws.get("thresholds", z.shape, np.uint32)
            return fire(words, table.take(index, out=t, mode="clip").reshape(out.shape), out)
        cos_t, sin_t = table
        cos_half, sin_half = cos_t.take(index).reshape(out.shape), sin_t.take(index).reshape(out.shape)
    else:
        u = block.value(layer.preactivation)
        if isinstance(u, Bracketed):
            return fire_numpy(u, sampler.law, words, out)
        u = u.reshape(u.shape[:2] + (layer.width,))
        if not sampler.by_angle:
            return fire(words, _at_step(sampler.act, u, layer.strict, _law(sampler.act, layer.strict)), out)
        cos_half, sin_half = half_angle(sampler.act, _real(u), layer.strict)
    noise = None if sampler.noise is None else sampler.noise[k]
    if sampler.state is not None:
        return sampler.state.measure(k, cos_half, sin_half, words, out, noise)
    return fire(words, quantize(angle_law(cos_half, sin_half, noise)), out)


def _shape_out(linear) -> tuple:
    from ..ir import Dense

    return (linear.n_out,) if isinstance(linear, Dense) else linear.shape_out
