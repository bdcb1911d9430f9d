"""τ = 0 layers by sign steps (``fused.SignSteps``): each neuron fires on an interval of its
integer sums, found by bisection, with the activation's law at u = ±1 — the same outcome, at
every sum, as the full table of thresholds it replaces, ties (u = 0 exactly) and scales of
either sign or zero included; and any layer size takes it, however few the rows."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from bnn2q import activations
from bnn2q.ir import Conv2D, Dense, MaxPool2D, Sign
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize
from bnn2q.sim import fused
from bnn2q.sim.fused import find_fused_layers, sign_steps, threshold_table
from bnn2q.sim.plan import Plan

from .nets import pm1


def tie_net(strict: bool, seed=0):
    """A pooled ±1 convolution and dense layers whose u = a z + c hits 0 exactly at some sums
    (a = ±0.5, c = ±1, ±0.5), with zero scales, and random scales of both signs."""
    rng = np.random.default_rng(seed)
    width = 24
    scale = np.concatenate([[0.5, -0.5, 0.5, -0.5, 0.0, 0.0], rng.uniform(0.01, 2, width - 6) * rng.choice([-1, 1], width - 6)])
    offset = np.concatenate([[-1.0, 1.0, 0.5, -0.5, 0.0, -1e-300], rng.normal(0, 3, width - 6)])
    layers = [Layer(Conv2D("c0", rng.normal(0, 1, (2, 2, 2, 2)), in_shape=(4, 4, 2), padding=(0, 1, 0, 1)),
                    rng.uniform(0.2, 0.5, 2), rng.normal(0, 0.3, 2)),
              Layer(Conv2D("c1", pm1(rng, (3, 3, 2, 6)), in_shape=(4, 4, 2), padding=(1, 1, 1, 1)),
                    np.array([0.5, -0.5, 0.0, 1.5, -2.0, 0.25]), np.array([-1.0, 0.5, 0.0, 3.0, -0.5, 0.0]),
                    pool=MaxPool2D("p", (4, 4, 6), (2, 2), (2, 2))),
              Layer(Dense("d1", pm1(rng, (width, 24))), scale, offset),
              Layer(Dense("d2", pm1(rng, (32, width))), rng.uniform(0.2, 0.5, 32), rng.normal(0, 0.3, 32)),
              Layer(Dense("out", pm1(rng, (3, 32))))]
    graph = chain((4, 4, 2), layers)
    if strict:  # the strict rule (u > 0, Larq's ste_heaviside) on every sign
        graph = replace(graph, nodes=tuple(replace(n, op=Sign(n.op.name, strict=True)) if isinstance(n.op, Sign) else n
                                           for n in graph.nodes))
    return canonicalize(graph)


@pytest.mark.parametrize("strict", [False, True], ids=["u>=0", "u>0"])
@pytest.mark.parametrize("act_args", [("rotation", 0.0, math.pi / 2), ("ancilla-reset", 0.0, 1.1)],
                         ids=["rotation", "ancilla-reset"])
def test_sign_steps_equal_the_threshold_table_at_every_sum(strict, act_args):
    net = tie_net(strict)
    act = activations.get(*act_args)
    layers = find_fused_layers(net, rows=1 << 20)
    assert set(layers) >= {1, 2, 3}
    ties = 0
    for k, f in layers.items():
        assert net.hidden[k].strict == strict
        steps = sign_steps(f, act, strict)
        table = threshold_table(f, act, strict).reshape(len(f.table_scale), f.span)
        z = np.arange(-f.reach, f.reach + 1)
        want = table[f.rows]  # [neurons, 2R + 1]
        sigma = (z[None, :] >= steps.lo[:, None]) & (z[None, :] <= steps.hi[:, None])
        np.testing.assert_array_equal(steps.pair[sigma.astype(np.intp)], want, err_msg=f"layer {k}")
        ties += np.count_nonzero(f.table_u() == 0.0)
    assert ties >= 4  # u = 0 exactly occurs, where the strict and non-strict rules differ
    assert len(np.unique(steps.pair)) == 2


def test_every_integer_layer_takes_sign_steps_at_tau_zero_however_few_the_rows(monkeypatch):
    """At τ > 0 a table of 2R + 1 entries a neuron pays only against enough rows, and only
    below ``MAX_TABLE`` entries; at τ = 0 the steps are two integers a neuron, so one sample
    is enough, and tables past that size (here made small) do not matter."""
    net = tie_net(False)
    rows = 1
    assert not find_fused_layers(net, rows)  # tables: too large for one row
    monkeypatch.setattr(fused, "MAX_TABLE", 64)  # every layer's table (6 × 37, 24 × 49, 32 × 49 entries) is larger
    assert not find_fused_layers(net, 1 << 20)
    plan = Plan(net, rows, by_sign=True)
    assert set(plan.fused) == {1, 2, 3}
    plan.build(activations.get("rotation", 0.0), by_angle=False, packed=False)
    assert all(t[0].lo.shape == (net.hidden[k].width,) for k, t in plan.tables.items())
