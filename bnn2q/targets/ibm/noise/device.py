"""``DeviceNoise``: a device's noise, as the built-in simulator folds it and as Aer runs it.

A DeviceNoise holds a transpiler ``Target`` (where the ``ibm`` target places and transpiles
neurons) and a qiskit-aer ``NoiseModel`` (what the neurons suffer). ``neuron_noise(net, act)``
lowers and places the network for the device exactly as ``bnn2q.compile(net, "ibm",
backend=...)`` does — the same passes (``targets.lowering``), the same ISA circuits — and
folds the model into each neuron (``fold.fold_circuit``): one ``NeuronNoise`` per hidden layer,
so the simulator samples what Aer would, at the cost of a noiseless pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ....errors import TargetError
from ....noise import NeuronNoise


@dataclass(frozen=True, eq=False)
class DeviceNoise:
    """A device's noise for the simulator (``simulate(noise=...)``) and for Aer.

    name: the device's name.
    target: its Qiskit ``Target`` (couplers, calibrated errors: what placement reads).
    noise_model: a qiskit-aer ``NoiseModel``, or a function making one (built on first use:
        ``NoiseModel.from_backend`` takes seconds on a 133-qubit device).
    max_qubits: the qubit budget the program runs under (None: all the device offers); with
        a budget the same physical qubits recur, and so do their coefficients.
    backend: the Qiskit backend it came from, if any."""

    name: str
    target: object
    noise_model_source: object = field(repr=False)
    max_qubits: int | None = None
    backend: object = field(default=None, repr=False)
    _folds: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_backend(cls, backend, max_qubits: int | None = None) -> "DeviceNoise":
        """The noise qiskit-aer's ``NoiseModel.from_backend`` reads from a backend's calibration
        (readout error, depolarizing + T1/T2 over each gate's duration, relaxation after reset)
        — what ``AerSimulator.from_backend`` runs."""
        from qiskit_aer.noise import NoiseModel

        return cls(str(backend.name), backend.target, lambda: NoiseModel.from_backend(backend),
                   max_qubits, backend)

    @classmethod
    def from_spec(cls, source, max_qubits: int | None = None) -> "DeviceNoise":
        """A device from a ``bnn2q-noise/1`` spec (a dict or a JSON file; see ``spec``)."""
        from . import spec, spec_device

        s = spec.read(source)
        name = s.get("name") or (str(source) if not isinstance(source, dict) else "noise spec")
        return cls(name, spec_device.target(s), lambda: spec_device.noise_model(s), max_qubits)

    @cached_property
    def noise_model(self):
        src = self.noise_model_source
        return src() if callable(src) else src

    def with_budget(self, max_qubits: int | None) -> "DeviceNoise":
        """The same device run under another qubit budget (sharing the noise model)."""
        if max_qubits == self.max_qubits:
            return self
        out = replace(self, max_qubits=max_qubits, _folds={})
        if "noise_model" in self.__dict__:
            out.__dict__["noise_model"] = self.noise_model
        return out

    def neuron_noise(self, net, act) -> list[NeuronNoise]:
        """(α, β, γ) of every neuron, per hidden layer, on the qubits ``compile`` places it on:
        the same lowering, budget and placement as ``bnn2q.compile(net, "ibm", backend=self)``'s
        layerwise program (the ``ibm`` target's default strategy).

        The layer circuits depend on the widths, the readouts, g and the budget — not on the
        weights or τ — so the fold is cached on those."""
        from ....frontends import load
        from ...lowering import lower
        from ..target import TARGET as IBM

        net = load(net)
        key = (tuple(net.widths), act.name, act.memory, getattr(act, "g", None) if act.min_qubits == 2 else None)
        if key not in self._folds:
            caps, dev = IBM.capabilities, IBM.device(self)
            budget = IBM.budget(act, self.max_qubits, dev)
            _, schedules, circuits = lower(net, act, None, "layerwise", 0.0, caps.int_bits, budget, caps)
            isa = IBM.place(IBM.build(circuits, act, caps.int_bits, schedules).native, dev).isa
            self._folds[key] = [self._layer(c, layer.width) for c, layer in zip(isa, net.hidden)]
        return self._folds[key]

    def _layer(self, isa, width: int) -> NeuronNoise:
        from .fold import fold_circuit

        coef = np.zeros((3, width))
        folds = fold_circuit(isa, self.noise_model)
        for f in folds:
            if f.param != f"theta[{f.bit}]":
                raise TargetError(f"bit m[{f.bit}] of {isa.name} depends on {f.param}, not on its own neuron's angle")
            coef[:, f.bit] = (f.alpha, f.beta, f.gamma)
        if len(folds) != width:
            raise TargetError(f"{isa.name} measures {len(folds)} bits for {width} neurons")
        return NeuronNoise(*coef)

    def aer_sampler(self, seed: int | None = None, method: str = "automatic"):
        """A qiskit-aer SamplerV2 running this device's noise model (for checks and benchmarks)."""
        from qiskit_aer.primitives import SamplerV2

        return SamplerV2(seed=seed, options={"backend_options": {"method": method, "noise_model": self.noise_model}})
