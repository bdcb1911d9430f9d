"""The canonical network: the graph's steps placed on the host or the quantum core, and its
hidden layers (``passes.BuildNetwork`` makes it; the simulator, the compiler and ``info`` read it).

- ``encoder`` steps depend on the input alone (real stems, input scaling, the input's own
  binarization): the host computes them once per sample;
- every ``Sign`` that reads a learned layer is a **hidden layer**: each of its units is a
  neuron, one qubit (SPEC §2), whose output bit s feeds later steps as the spin y = 2s − 1;
- ``core`` steps compute a hidden layer's pre-activation u from earlier spins (and encoder
  values): what the classical controller computes between measurements — affine glue
  (dense/convolution, affine, add, concatenate, average pooling: the exact integer paths) and
  any real nonlinearity (ReLU, clips, max-pooling and max of reals, computed scales);
- ``head`` steps read spins and feed no sign: the host computes the logits from the bits.

Hidden layers are numbered in execution order; their bits fill register m in that order, each
layer in its units' flat channels-last order (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

ENCODER, CORE, HEAD = "encoder", "core", "head"


@dataclass(frozen=True, eq=False)
class Step:
    """``output = op(*inputs)``, computed in ``stage`` (encoder, core or head)."""

    op: object
    inputs: tuple[str, ...]
    output: str
    stage: str


@dataclass(frozen=True, eq=False)
class HiddenLayer:
    """A layer of neurons: the units of value ``preactivation`` (u), measured by the sign step
    that writes the spins ``output``.

    name: the layer people know it by (the dense/convolution feeding it, else the sign's name).
    strict: fires on u > 0 rather than u ≥ 0 (a Heaviside quantizer)."""

    name: str
    preactivation: str
    output: str
    shape: tuple[int, ...]
    strict: bool = False

    @property
    def width(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


@dataclass(frozen=True, eq=False)
class Network:
    """Steps in execution order from the input to the logits ``output``, with the hidden layers
    they measure. ``shapes`` maps every value to its channels-last shape."""

    input_shape: tuple[int, ...]
    steps: tuple[Step, ...]
    hidden: tuple[HiddenLayer, ...]
    output: str
    shapes: dict
    source: str = "<model>"

    @property
    def n_inputs(self) -> int:
        return int(np.prod(self.input_shape, dtype=np.int64))

    @property
    def n_classes(self) -> int:
        return int(np.prod(self.shapes[self.output], dtype=np.int64))

    @property
    def n_neurons(self) -> int:
        return sum(layer.width for layer in self.hidden)

    @property
    def widths(self) -> list[int]:
        return [layer.width for layer in self.hidden]

    @cached_property
    def producer(self) -> dict[str, Step]:
        """The step that writes each value."""
        return {step.output: step for step in self.steps}

    @cached_property
    def consumers(self) -> dict[str, list[Step]]:
        out: dict[str, list[Step]] = {}
        for step in self.steps:
            for v in step.inputs:
                out.setdefault(v, []).append(step)
        return out

    @cached_property
    def layer_of(self) -> dict[str, int]:
        """Hidden layer index of each spins value a sign writes."""
        return {layer.output: k for k, layer in enumerate(self.hidden)}

    def stage(self, stage: str) -> list[Step]:
        return [s for s in self.steps if s.stage == stage]

    def __repr__(self) -> str:
        kinds = ", ".join(f"{layer.name}[{layer.width}]" for layer in self.hidden)
        return (f"Network({self.source!r}: input {self.input_shape}, {len(self.hidden)} hidden layers "
                f"({kinds}), {self.n_classes} logits, {len(self.steps)} steps)")
