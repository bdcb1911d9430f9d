"""Memory the simulator would need beyond its budget fails early, in one line that says what,
how much and how to shrink it (bnn2q.sim.memory)."""

from __future__ import annotations

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import InputError
from bnn2q.ir import Affine, Conv2D, Graph, Node, Sign
from bnn2q.ir.graph import INPUT
from bnn2q.passes import canonicalize
from bnn2q.sim import memory

from .nets import dense_net, inputs


def _one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def test_kept_bits_past_the_budget_fail_before_allocating(monkeypatch):
    monkeypatch.setenv("BNN2Q_MEMORY", "1M")
    net = dense_net()
    with pytest.raises(InputError, match="keep_bits=False") as excinfo:
        bnn2q.simulate(net, inputs(net, 1000), quantumness=0.5, shots=1000)
    assert "1,000 samples × 1,000 shots" in _one_line(excinfo)
    bnn2q.simulate(net, inputs(net, 10), quantumness=0.5, shots=100)  # well within


def test_logits_past_the_budget_ask_for_fewer_shots_or_batches(monkeypatch):
    monkeypatch.setenv("BNN2Q_MEMORY", "1M")
    net = dense_net()
    with pytest.raises(InputError, match="use fewer shots or simulate the samples in batches") as excinfo:
        bnn2q.simulate(net, inputs(net, 1000), quantumness=0.5, shots=1000, keep_bits=False)
    assert "(32 MB of logits)" in _one_line(excinfo)


def test_a_large_input_fails_on_its_working_memory_not_in_an_allocation(monkeypatch):
    """A 1024×1024 image through a 64-channel convolution: one shot's values alone exceed 1 GB."""
    monkeypatch.setenv("BNN2Q_MEMORY", "1G")
    rng = np.random.default_rng(0)
    conv = Conv2D("c", rng.choice([-1, 1], size=(3, 3, 1, 64)), in_shape=(1024, 1024, 1), padding=(1, 1, 1, 1))
    nodes = [Node(conv, (INPUT,), "z"), Node(Affine("bn", np.ones(64), np.zeros(64)), ("z",), "u"),
             Node(Sign("s"), ("u",), "y"),
             Node(Conv2D("c2", rng.choice([-1, 1], size=(3, 3, 64, 64)), in_shape=(1024, 1024, 64)), ("y",), "z2"),
             Node(Sign("s2"), ("z2",), "y2"),
             Node(Conv2D("head", rng.choice([-1, 1], size=(1, 1, 64, 2)), in_shape=(1022, 1022, 64),
                         strides=(1022, 1022)), ("y2",), "logits")]
    net = canonicalize(Graph((1024, 1024, 1), tuple(nodes), "logits", "big"))
    with pytest.raises(InputError, match="one shot of this network needs about") as excinfo:
        bnn2q.simulate(net, np.zeros((1, 1024 * 1024)), quantumness=0.5, shots=2)
    _one_line(excinfo)


@pytest.mark.parametrize("text,size", [("8G", 8 << 30), ("512M", 512 << 20), ("1.5GiB", 3 << 29), ("1000", 1000)])
def test_the_budget_reads_sizes(monkeypatch, text, size):
    monkeypatch.setenv("BNN2Q_MEMORY", text)
    assert memory.budget() == size


def test_a_budget_that_is_not_a_size_is_refused(monkeypatch):
    monkeypatch.setenv("BNN2Q_MEMORY", "lots")
    with pytest.raises(InputError, match="BNN2Q_MEMORY='lots' is not a size"):
        memory.budget()
