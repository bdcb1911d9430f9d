"""One block of rows (samples [lo, hi) × shots [s0, s1)): every value it needs, computed once
on demand, in the form its readers want.

- float values ``value(name)`` with leading axes (samples, shots) — or (samples, 1) for what
  depends on the input alone (the encoder runs once per sample);
- spin values as bits ``bits(name)`` (uint8): a hidden layer's outcomes, and max-pools (ORs),
  reshapes, gathers and concatenations of them, computed on the bits; their float spins
  2s − 1 only where a float step reads them;
- packed bits ``packed(name, layout)`` (uint64) for the packed linears: a hidden layer's own
  packed output when the layouts agree, else packed from the bits."""

from __future__ import annotations

import numpy as np

from ..ir.network import HEAD
from .plan import Plan

class Block:
    """Values of one block; ``measured(k, bits, packed)`` records hidden layer k's outcomes."""

    def __init__(self, sampler, rows: tuple[int, int], encoded: dict):
        self.s = sampler
        self.plan: Plan = sampler.plan
        self.rows = rows
        self.n_rows = rows[0] * rows[1]
        self.values = dict(encoded)
        self._bits: dict[str, np.ndarray] = {}
        self._packed: dict = {}

    def measured(self, k: int, bits: np.ndarray, packed: np.ndarray | None) -> None:
        layer = self.s.net.hidden[k]
        self._bits[layer.output] = bits.reshape(self.rows + layer.shape)
        if packed is not None:
            self._packed[(layer.output, self.plan.layouts[k])] = packed

    # -- spin values -------------------------------------------------------------------------

    def bits(self, name: str) -> np.ndarray:
        """uint8 [samples, shots, *shape] of a spin value."""
        out = self._bits.get(name)
        if out is None:
            step = self.s.net.producer[name]
            args = [self.bits(v) for v in step.inputs]
            out = self._bits[name] = self.s.kernels.run(step.op, args, self._shapes(step), self.s.net.shapes[name])
        return out

    def packed(self, name: str, layout) -> np.ndarray:
        """uint64 [rows, layout.row]: the bits of spin value ``name`` packed as ``layout``."""
        key = (name, layout)
        out = self._packed.get(key)
        if out is None:
            k = self.plan.hidden_behind(name)
            if k is not None and self.plan.layouts.get(k) == layout:
                out = self._packed[(self.s.net.hidden[k].output, layout)]
            else:
                from .packed.layout import pack

                out = pack(self.bits(name).reshape(self.n_rows, -1),
                           layout, self.s.ws.get(f"pack:{name}", (self.n_rows, layout.row), np.uint64))
            self._packed[key] = out
        return out

    # -- float values ------------------------------------------------------------------------

    def value(self, name: str) -> np.ndarray:
        out = self.values.get(name)
        if out is not None:
            return out
        step = self.s.net.producer[name]
        dtype = np.float64 if step.stage == HEAD else self.s.dtype
        if name in self.plan.spins:
            bits = self.bits(name)
            out = self.s.ws.get(f"spins:{name}", bits.shape, dtype)
            np.multiply(bits, 2, out=out, casting="unsafe")
            out -= 1
        elif name in self.plan.linears:
            out = self.sums(self.plan.linears[name], step.inputs[0]).astype(dtype)
            out = out.reshape(self.rows + self.s.net.shapes[name])
        else:
            out = self._run(step, dtype)
        self.values[name] = out
        return out

    def sums(self, linear, source: str) -> np.ndarray:
        """int32 [rows, n_out] of a packed linear reading spin value ``source``."""
        z = self.s.ws.get(f"sums:{id(linear)}", (self.n_rows, linear.n_sums), np.int32)
        return linear(self.packed(source, linear.layout), z, self.s.ws)

    def _run(self, step, dtype) -> np.ndarray:
        if dtype == np.float64 and step.output in self.plan.exact32:
            dtype = np.float32  # integer sums of spins, exact in float32 (upcast below)
        args = [self.value(v) for v in step.inputs]
        args = [a if a.dtype == dtype else a.astype(dtype) for a in args]
        out = self.s.kernels.run(step.op, args, self._shapes(step), self.s.net.shapes[step.output])
        want = np.float64 if step.stage == HEAD else self.s.dtype
        return out if out.dtype == want else out.astype(want)

    def _shapes(self, step) -> list:
        return [self.s.net.shapes[v] for v in step.inputs]

