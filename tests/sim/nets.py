"""Hand-built networks for the simulator tests: every path through the sampler."""

from __future__ import annotations

import numpy as np

from bnn2q.ir import INPUT, Add, Affine, Concat, Conv2D, Dense, Graph, MaxPool2D, Node, Reshape, Sign
from bnn2q.ir.build import Layer, chain
from bnn2q.passes import canonicalize


def pm1(rng, shape):
    return rng.choice(np.array([-1, 1], dtype=np.int8), size=shape)


def dense_net(sizes=(12, 10, 8, 4), seed=0):
    """±1 kernels with per-neuron scales of both signs (flipped thresholds) and offsets."""
    rng = np.random.default_rng(seed)
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        scale = rng.uniform(0.2, 0.6, n_out) * rng.choice([-1, 1], n_out)
        layers.append(Layer(Dense(f"d{k}", pm1(rng, (n_out, n_in))), scale, rng.normal(0, 0.5, n_out)))
    return canonicalize(chain((sizes[0],), layers))


def real_net(sizes=(12, 6, 6, 5, 4), seed=3):
    """The paper's shape: real weights, no bias, sign activations, equal hidden widths."""
    rng = np.random.default_rng(seed)
    layers = [Layer(Dense(f"r{k}", rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in))))
              for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]
    return canonicalize(chain((sizes[0],), layers))


def pooled_net(seed=1):
    """Conv (zeros in the matrix, varying row reach) → max-pool before the sign → OR-pool
    after it → dense → logits."""
    rng = np.random.default_rng(seed)
    conv = Conv2D("conv", pm1(rng, (2, 2, 1, 2)), in_shape=(4, 4, 1), padding=(0, 1, 0, 1))
    conv2 = Conv2D("conv2", pm1(rng, (2, 2, 2, 3)), in_shape=(2, 2, 2), padding=(0, 1, 0, 1))
    return canonicalize(chain((4, 4, 1), [
        Layer(conv, rng.uniform(0.3, 1, 2), rng.normal(0, 0.5, 2), pool=MaxPool2D("pool", (4, 4, 2), (2, 2), (2, 2))),
        Layer(conv2, rng.uniform(0.2, 0.5, 3) * rng.choice([-1, 1], 3), rng.normal(0, 0.5, 3),
              or_pool=MaxPool2D("or", (2, 2, 3), (2, 2), (1, 1), (0, 1, 0, 1))),
        Layer(Dense("d2", pm1(rng, (4, 12))), rng.uniform(0.2, 0.5, 4), rng.normal(0, 0.3, 4)),
        Layer(Dense("out", pm1(rng, (3, 4)))),
    ]))


def residual_net(seed=2):
    """A real residual stream: stem → sign → ±1 dense + the stream → sign → concat → logits."""
    rng = np.random.default_rng(seed)
    nodes = [
        Node(Dense("stem", rng.normal(size=(6, 8))), (INPUT,), "x0"),
        Node(Sign("s0"), ("x0",), "y0"),
        Node(Dense("b1", pm1(rng, (6, 6))), ("y0",), "z1"),
        Node(Affine("bn1", rng.uniform(0.2, 0.5, 6), rng.normal(0, 0.3, 6)), ("z1",), "u1"),
        Node(Add("skip1"), ("u1", "x0"), "x1"),
        Node(Sign("s1"), ("x1",), "y1"),
        Node(Dense("b2", pm1(rng, (5, 6))), ("y1",), "z2"),
        Node(Dense("short", rng.normal(0, 0.3, (5, 6))), ("x1",), "sc"),
        Node(Add("skip2"), ("z2", "sc"), "x2"),
        Node(Sign("s2"), ("x2",), "y2"),
        Node(Concat("cat"), ("y1", "y2"), "c"),
        Node(Dense("head", rng.normal(size=(3, 11))), ("c",), "logits"),
    ]
    return canonicalize(Graph((8,), tuple(nodes), "logits", "residual"))


def conv_net(seed=4):
    """Convolutions in every arrangement the sampler distinguishes: 'same' padding with an
    overlapping, padded max-pool of the sums before the sign; an OR-pool after it; a strided
    convolution with one-sided padding and per-neuron batch-norm reading the OR-pooled bits;
    a 1×1 convolution, a non-overlapping pool and a flatten between batch-norm and sign."""
    rng = np.random.default_rng(seed)
    nodes = [
        Node(Conv2D("c0", pm1(rng, (3, 3, 2, 3)), in_shape=(6, 6, 2), padding=(1, 1, 1, 1)), (INPUT,), "z0"),
        Node(MaxPool2D("p0", (6, 6, 3), (3, 3), (2, 2), (1, 1, 1, 1)), ("z0",), "m0"),
        Node(Affine("bn0", rng.uniform(0.1, 0.3, 3), rng.normal(0, 0.5, 3)), ("m0",), "u0"),
        Node(Sign("s0"), ("u0",), "y0"),
        Node(MaxPool2D("or0", (3, 3, 3), (2, 2), (1, 1)), ("y0",), "o0"),
        Node(Conv2D("c1", pm1(rng, (2, 2, 3, 4)), in_shape=(2, 2, 3), strides=(1, 2), padding=(0, 1, 0, 1)),
             ("o0",), "z1"),
        Node(Affine("bn1", rng.uniform(0.2, 0.5, (2, 1, 4)) * rng.choice([-1, 1], (2, 1, 4)),
                    rng.normal(0, 0.5, (2, 1, 4))), ("z1",), "u1"),
        Node(Sign("s1"), ("u1",), "y1"),
        Node(Conv2D("c2", pm1(rng, (1, 1, 4, 5)), in_shape=(2, 1, 4)), ("y1",), "z2"),
        Node(MaxPool2D("p2", (2, 1, 5), (2, 1), (2, 1)), ("z2",), "m2"),
        Node(Affine("bn2", rng.uniform(0.3, 0.6, 5), rng.normal(0, 0.5, 5)), ("m2",), "u2"),
        Node(Reshape("flat", (5,)), ("u2",), "f2"),
        Node(Sign("s2"), ("f2",), "y2"),
        Node(Dense("head", pm1(rng, (3, 5))), ("y2",), "logits"),
    ]
    return canonicalize(Graph((6, 6, 2), tuple(nodes), "logits", "conv"))


NETS = {"dense": dense_net, "real": real_net, "pooled": pooled_net, "residual": residual_net, "conv": conv_net}


def inputs(net, n, seed=2):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, net.n_inputs))
