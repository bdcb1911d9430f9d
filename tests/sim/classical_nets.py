"""Hand-built networks whose core holds classical work between measurements: ReLU, PReLU, clips,
a max of reals, a data-dependent scale, a real residual stream, a dilated convolution, and a
multi-bit quantizer encoding the input."""

from __future__ import annotations

import numpy as np

from bnn2q.ir import (INPUT, Add, Affine, Clip, Concat, Conv2D, Dense, Elementwise, GlobalAvgPool, Graph,
                      MaxPool2D, Maximum, Multiply, Node, Quantize, Reshape, Sign)
from bnn2q.passes import canonicalize

from .nets import pm1


def relu_mlp(seed=5):
    """x → 4-bit quantizer → dense → sign → ±1 dense → BN → ReLU → ±1 dense → BN → sign → clip of
    a ±1 dense (hard tanh) → sign → logits: every neuron past the first reads real values the
    host computes from bits."""
    rng = np.random.default_rng(seed)
    nodes = [
        Node(Quantize("q_in", np.array(0.125), np.array(0.0), -8, 7), (INPUT,), "xq"),
        Node(Dense("d0", rng.normal(size=(10, 8))), ("xq",), "z0"),
        Node(Sign("s0"), ("z0",), "y0"),
        Node(Dense("d1", pm1(rng, (9, 10))), ("y0",), "z1"),
        Node(Affine("bn1", rng.uniform(0.2, 0.6, 9), rng.normal(0, 0.8, 9)), ("z1",), "u1"),
        Node(Elementwise("relu1", "relu"), ("u1",), "r1"),
        Node(Dense("d2", pm1(rng, (7, 9))), ("r1",), "z2"),
        Node(Affine("bn2", rng.uniform(0.2, 0.6, 7) * rng.choice([-1, 1], 7), rng.normal(0, 0.8, 7)), ("z2",), "u2"),
        Node(Sign("s2"), ("u2",), "y2"),
        Node(Dense("d3", pm1(rng, (6, 7))), ("y2",), "z3"),
        Node(Affine("bn3", rng.uniform(0.3, 0.6, 6), rng.normal(0, 0.5, 6)), ("z3",), "u3"),
        Node(Clip("htanh3", np.array(-1.0), np.array(1.0)), ("u3",), "c3"),
        Node(Sign("s3"), ("c3",), "y3"),
        Node(Dense("head", rng.normal(size=(3, 6))), ("y3",), "logits"),
    ]
    return canonicalize(Graph((8,), tuple(nodes), "logits", "relu-mlp"))


def gated_conv(seed=6):
    """A QuickNet/Real-to-Binary-style conv net: real stem → residual stream x; per block
    sign(x) → ±1 convolution (one dilated) → BN → PReLU, scaled by a gate computed from x
    (sigmoid of a dense layer of its global average), added to x; a max of two branches; a
    max-pool of reals; an OR-pool of bits into the head."""
    rng = np.random.default_rng(seed)
    h = w = 4
    c = 4
    nodes = [
        Node(Conv2D("stem", rng.normal(size=(3, 3, 2, c)), (h, w, 2), padding=(1, 1, 1, 1)), (INPUT,), "x0"),
        Node(Sign("s0"), ("x0",), "y0"),
        Node(Conv2D("b1", pm1(rng, (3, 3, c, c)), (h, w, c), padding=(2, 2, 2, 2), dilation=(2, 2)), ("y0",), "z1"),
        Node(Affine("bn1", rng.uniform(0.1, 0.3, c), rng.normal(0, 0.5, c)), ("z1",), "u1"),
        Node(Elementwise("prelu1", "prelu", rng.uniform(0.05, 0.3, c)), ("u1",), "p1"),
        Node(GlobalAvgPool("gap1", (h, w, c)), ("x0",), "g1"),
        Node(Dense("gate1", rng.normal(size=(c, c))), ("g1",), "gz1"),
        Node(Elementwise("sig1", "sigmoid"), ("gz1",), "gs1"),
        Node(Reshape("gr1", (1, 1, c)), ("gs1",), "gate"),
        Node(Multiply("scale1"), ("p1", "gate"), "m1"),
        Node(Add("skip1"), ("m1", "x0"), "x1"),
        Node(Sign("s1"), ("x1",), "y1"),
        Node(Conv2D("b2", pm1(rng, (3, 3, c, c)), (h, w, c), padding=(1, 1, 1, 1)), ("y1",), "z2"),
        Node(Affine("bn2", rng.uniform(0.1, 0.3, c) * rng.choice([-1, 1], c), rng.normal(0, 0.5, c)), ("z2",), "u2"),
        Node(Elementwise("relu2", "relu"), ("u2",), "r2"),
        Node(Maximum("max2"), ("r2", "x1"), "x2"),
        Node(MaxPool2D("pool2", (h, w, c), (2, 2), (1, 1)), ("x2",), "x2p"),
        Node(Sign("s2"), ("x2p",), "y2"),
        Node(Concat("cat"), ("y2", "y2"), "yc"),
        Node(MaxPool2D("or", (3, 3, 2 * c), (2, 2), (1, 1)), ("yc",), "o2"),
        Node(Reshape("flat", (32,)), ("o2",), "f"),
        Node(Dense("head", rng.normal(size=(3, 32))), ("f",), "logits"),
    ]
    return canonicalize(Graph((h, w, 2), tuple(nodes), "logits", "gated-conv"))


CLASSICAL_NETS = {"relu-mlp": relu_mlp, "gated-conv": gated_conv}
