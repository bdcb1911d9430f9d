"""The bnn2q IR, from source to gates: ``Graph`` → ``Network`` → ``QuantumNetwork`` → ``Schedule`` →
``Circuit``.

- ``ops``: source-level operations, shape-aware frozen dataclasses with the math in their
  docstrings (frontends emit them): linear layers and the sign, with ``pooling`` and ``wiring``
  (sums, concatenation, layouts) beside them and ``op_base`` what they share;
- ``nonlinear``: the real nonlinear ones (ReLU, clips, max/min, products, multi-bit quantizers),
  which the host computes wherever they sit;
- ``graph``: a frontend's output, a DAG of ``Node``s over named values;
- ``network``: the canonical form the simulator, the compiler and ``info`` consume — the same
  steps, each placed in the host encoder, the quantum core or the host head, and the hidden
  layers (one per sign) in order;
- ``plan``: the quantum-neuron plan, one qubit and one angle rule per neuron
  (``QuantumNetwork``), and its schedule on physical qubits (``Schedule``);
- ``circuit``: the gate-level ``Circuit`` every target translates;
- ``build``: small constructors for hand-made networks (tests, benchmarks).

How the host evaluates the ops lives in ``bnn2q.host``.

Notation (SPEC §1): bits s ∈ {0,1}, spins y = 2s − 1. Values are channels-last tensors without
the batch axis; every op keeps ``name``, the source layer or node, for error messages.
"""

from .graph import INPUT, Graph, Node
from .network import HiddenLayer, Network, Step
from .nonlinear import NONLINEAR_OPS, Clip, Elementwise, Maximum, Minimum, Multiply, Quantize
from .ops import (
    LINEAR_OPS,
    Add,
    Affine,
    AvgPool2D,
    BatchNorm,
    Concat,
    Conv2D,
    Dense,
    Gather,
    GlobalAvgPool,
    MaxPool2D,
    Reshape,
    Sign,
)

__all__ = [
    "INPUT", "Graph", "Node", "HiddenLayer", "Network", "Step", "LINEAR_OPS", "NONLINEAR_OPS", "Add",
    "Affine", "AvgPool2D", "BatchNorm", "Clip", "Concat", "Conv2D", "Dense", "Elementwise", "Gather",
    "GlobalAvgPool", "MaxPool2D", "Maximum", "Minimum", "Multiply", "Quantize", "Reshape", "Sign",
]
