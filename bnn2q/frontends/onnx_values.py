"""What the ONNX reader tracks per live tensor, and attribute access."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tensor:
    """A live ONNX tensor (per sample, batch axis dropped), laid over an IR value.

    ``value``: the IR value holding its elements; ``index``: an array of the tensor's own shape
    whose entry p is the flat (channels-last) position of element p in ``value`` — layout ops
    (Transpose, Reshape, Flatten, …) only move ``index``. ``spin``: binarized, the tensor holds
    gain · y + shift for the spins y in ``value`` (the gain may be negative); ``boolean``: the
    result of a comparison, bits s = (y + 1)/2 as gain and shift say; ``final``: a softmax made
    it."""

    value: str
    index: np.ndarray
    spin: bool = False
    gain: float = 1.0
    shift: float = 0.0
    final: bool = False
    boolean: bool = False

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.index.shape)


def attr(node, name: str, default):
    from onnx import helper

    for attr in node.attribute:
        if attr.name == name:
            value = helper.get_attribute_value(attr)
            return value.decode() if isinstance(value, bytes) else (list(value) if not np.isscalar(value) else value)
    return default
