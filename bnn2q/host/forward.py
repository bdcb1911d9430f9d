"""The host's side of a compiled program: the network's deterministic steps, run between
measurements.

The layerwise strategy measures one hidden layer per circuit; between circuits the host
computes the next layer's pre-activations from the bits just measured (for many shots at
once), and after the last one the logits. ``HostPass`` does exactly that, with the
simulator's own kernels, so host and simulator cannot disagree on the glue."""

from __future__ import annotations

import numpy as np

from ..ir import INPUT, Network
from .kernels import Kernels


def encoder_values(net: Network, x: np.ndarray, kernels: Kernels | None = None) -> dict:
    """Every encoder value of one sample x, float64 [1, *shape] (the first layers' inputs)."""
    from ..ir.network import ENCODER

    kernels = kernels or Kernels()
    values = {INPUT: np.asarray(x, dtype=np.float64).reshape((1,) + net.input_shape)}
    for step in net.stage(ENCODER):
        values[step.output] = kernels.run(step.op, [values[v] for v in step.inputs],
                                          [net.shapes[v] for v in step.inputs], net.shapes[step.output])
    return values


class HostPass:
    """One forward pass over one sample (or a batch), measured layer by layer.

        host = HostPass(net, x)             # the encoder runs here
        u0 = host.preactivation(0)          # [rows, width] (rows = samples before any bits)
        host.measured(0, bits0)             # bits0: uint8 [rows, width]
        ...
        logits = host.logits()              # [rows, n_classes]
    """

    def __init__(self, net: Network, x: np.ndarray, kernels: Kernels | None = None):
        self.net = net
        self.kernels = kernels or Kernels()
        self.values = {INPUT: np.asarray(x, dtype=np.float64).reshape((-1,) + net.input_shape)}
        self.next = 0  # index of the next step to run

    def _run_until(self, stop_at: str | None) -> None:
        steps = self.net.steps
        while self.next < len(steps):
            step = steps[self.next]
            if step.output == stop_at:
                return
            if step.output in self.net.layer_of:
                raise RuntimeError(f"layer {self.net.layer_of[step.output]} must be measured first")
            args = [self.values[v] for v in step.inputs]
            self.values[step.output] = self.kernels.run(step.op, args, [self.net.shapes[v] for v in step.inputs],
                                                        self.net.shapes[step.output])
            self.next += 1

    def preactivation(self, k: int) -> np.ndarray:
        """u of hidden layer k, float64 [rows, width]."""
        layer = self.net.hidden[k]
        self._run_until(layer.output)
        u = self.values[layer.preactivation]
        return u.reshape(u.shape[0], layer.width)

    def measured(self, k: int, bits: np.ndarray) -> None:
        """Record hidden layer k's bits [rows, width]; later steps read their spins."""
        layer = self.net.hidden[k]
        self._run_until(layer.output)
        bits = np.asarray(bits)
        self.values[layer.output] = (2.0 * bits - 1.0).reshape((bits.shape[0],) + layer.shape)
        self.next += 1

    def logits(self) -> np.ndarray:
        """The head's output for every row, float64 [rows, n_classes]."""
        self._run_until(None)
        out = self.values[self.net.output]
        return out.reshape(out.shape[0], -1)
