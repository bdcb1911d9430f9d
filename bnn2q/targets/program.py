"""A compiled program: the circuits of one strategy, their register layout and resources."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import TargetError


@dataclass(frozen=True, eq=False)
class CompiledProgram:
    """What ``bnn2q.compile`` returns.

    strategy ``dynamic``: ``circuits`` holds one Circuit (all layers, feed-forward inside);
    ``layerwise``: one Circuit per hidden layer, its bits the layer's slice of m, its angles
    inputs the host binds shot by shot. ``native`` holds the target's objects, one per
    circuit (OpenQASM text, Braket ``Program``, Qiskit ``QuantumCircuit``).

    layout: [(layer name, start, stop)] slices of register m.
    resources: qubits, measurements, resets, conditionals, depth, two-qubit gates, limits.
    error_bounds: per neuron, the bound on |P'(bit = 1) − P(bit = 1)| pruning and fixed-point
        rounding allow.
    plan: the QuantumNetwork the circuits were lowered from.
    sample: the input baked in (``inputs=``), or None.
    device: target ``ibm``: the ``DeviceCircuits`` — the device, its ISA circuits, the layout.
    options: the choices ``compile`` was given (``max_qubits``, ``tolerance``, ``strategy``,
        ``int_bits``; None where it chose), so a runner can compile the same program again."""

    target: str
    strategy: str
    network: object
    activation: object
    circuits: tuple
    native: tuple
    layout: list
    resources: dict
    error_bounds: tuple = ()
    qasm_texts: tuple = field(default=(), repr=False)
    plan: object = field(default=None, repr=False)
    sample: object = field(default=None, repr=False)
    device: object = field(default=None, repr=False)
    options: dict = field(default_factory=dict, repr=False)

    @property
    def isa(self) -> tuple:
        """The circuits transpiled for the device (target ``ibm``), one per circuit."""
        if self.device is None:
            raise TargetError(f"a program for target {self.target!r} has no ISA circuits; compile for "
                              "target 'ibm' (with backend= for a particular device)")
        return self.device.isa

    @property
    def qasm(self) -> str:
        """The OpenQASM 3 text of a dynamic program."""
        if not self.qasm_texts:
            raise TargetError(
                f"a program for target {self.target!r} has no OpenQASM text; compile for target "
                "'qasm3' or 'braket'"
            )
        if self.strategy != "dynamic":
            raise TargetError(
                "a layerwise program is one circuit per layer: read prog.qasm_layers, or compile "
                "with strategy='dynamic' for one OpenQASM program"
            )
        return self.qasm_texts[0]

    @property
    def qasm_layers(self) -> tuple:
        """The OpenQASM 3 text of each circuit (one per layer for layerwise)."""
        return self.qasm_texts

    @property
    def params(self) -> tuple:
        """Input angle names of the first circuit (empty when the inputs are baked in)."""
        return self.circuits[0].params

    @property
    def n_bits(self) -> int:
        return self.layout[-1][2]
