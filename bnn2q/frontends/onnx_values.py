"""What the ONNX chain walk tracks per activation tensor, and attribute access."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Activation:
    """A live activation tensor (per sample).

    ``index``: the IR position of each element; ``stage``: how many IR ops existed when it
    was made (a chain only ever reads the newest stage); ``spin``: binarized, holding
    gain · y + shift; ``final``: a softmax made it, nothing may follow."""

    index: np.ndarray
    stage: int
    spin: bool = False
    gain: float = 1.0
    shift: float = 0.0
    final: bool = False

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
