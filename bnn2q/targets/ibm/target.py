"""Target ``ibm``: Qiskit ``QuantumCircuit``s, and their ISA form for an IBM device.

IBM hardware offers if/else on measured bits but no classical arithmetic and no runtime
angles, so a neuron whose angle depends on a weighted sum of earlier bits cannot be fed
forward in one circuit. The default strategy is therefore ``layerwise``: one static circuit
per layer (R_y with parameters, mid-circuit measure + reset to reuse qubits), the host
computing each layer's angles from the previous layer's bits shot by shot. ``dynamic`` is
accepted only when no feed-forward is needed (one hidden layer).

Every circuit is also transpiled for a device (``backend=``: an IBM backend, a fake one, a
``DeviceNoise``; by default ``GenericBackendV2`` on a heavy-hex map with a CZ basis) at
optimization level 3, each neuron on the qubit or coupled pair ``devices.Device`` chooses,
and the ISA circuits are kept on the program (``prog.isa``). They are transpiled with their
angles as parameters and bound at run time: binding first would turn θ = 0 and θ = π into
different gates (none, one ``x``) and change the noise exactly at the classical points — so a
program compiled with ``inputs=`` still gets parametric ISA circuits, the host binding the
baked sample's first-layer angles."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ...ir.circuit import CX, RY, H, IfBit, IfCompare, Measure, Param, Reset, SetSum, X
from ...errors import TargetError
from ..capabilities import Capabilities
from ..target import Built, Target
from .devices import Device, device

#: Heavy-hex code distance of the default device model: (5d² − 2d − 1)/2 = 115 qubits at d = 7.
HEAVY_HEX_DISTANCE = 7
BASIS = ("cz", "id", "rz", "sx", "x")
DEVICE_QUBITS = (5 * HEAVY_HEX_DISTANCE**2 - 2 * HEAVY_HEX_DISTANCE - 1) // 2
#: Qiskit's heaviest preset: noise-aware layout is ours, the rest (1q fusion, 2q resynthesis) theirs.
OPTIMIZATION_LEVEL = 3

@functools.lru_cache(maxsize=1)
def default_device() -> Device:
    """The IBM-like device model: GenericBackendV2 on a heavy-hex map (fixed seed, CZ basis)."""
    from qiskit.providers.fake_provider import GenericBackendV2
    from qiskit.transpiler import CouplingMap

    cmap = CouplingMap.from_heavy_hex(HEAVY_HEX_DISTANCE)
    backend = GenericBackendV2(cmap.size(), basis_gates=list(BASIS), coupling_map=cmap, seed=0)
    name = f"GenericBackendV2, heavy-hex d={HEAVY_HEX_DISTANCE} ({DEVICE_QUBITS} qubits), basis {'/'.join(BASIS)}"
    return Device(name, backend.target, backend)


def to_qiskit(circuit, name: str = "bnn2q"):
    """The QuantumCircuit of a bnn2q Circuit: register ``q``, bits ``m``, parameters ``theta[j]``."""
    from qiskit.circuit import ClassicalRegister, ParameterVector, QuantumCircuit, QuantumRegister

    if any(isinstance(op, (SetSum, IfCompare)) for op in circuit.ops):
        raise TargetError("target 'ibm' cannot express classical arithmetic on measured bits; "
                          "use strategy='layerwise'")
    q, m = QuantumRegister(circuit.n_qubits, "q"), ClassicalRegister(circuit.n_bits, "m")
    qc = QuantumCircuit(q, m, name=name)
    theta = ParameterVector("theta", len(circuit.params))
    index = {p: i for i, p in enumerate(circuit.params)}
    for op in circuit.ops:
        if isinstance(op, RY):
            qc.ry(theta[index[op.angle.name]] if isinstance(op.angle, Param) else op.angle, q[op.qubit])
        elif isinstance(op, X):
            qc.x(q[op.qubit])
        elif isinstance(op, H):
            qc.h(q[op.qubit])
        elif isinstance(op, CX):
            qc.cx(q[op.control], q[op.target])
        elif isinstance(op, Measure):
            qc.measure(q[op.qubit], m[op.bit])
        elif isinstance(op, Reset):
            qc.reset(q[op.qubit])
        elif isinstance(op, IfBit):
            with qc.if_test((m[op.bit], 1)):
                qc.ry(op.gate.angle, q[op.gate.qubit])
    return qc


class IbmTarget(Target):
    capabilities = Capabilities(
        name="ibm",
        strategies=("layerwise", "dynamic"),
        feed_forward="bits",
        max_qubits=None,  # the device's: checked by ``budget``
        backends=("aer", "device"),
    )

    def device(self, backend) -> Device:
        """The device to transpile for: ``backend`` (anything ``devices.device`` takes) or the model."""
        return default_device() if backend is None else device(backend)

    def budget(self, act, max_qubits, dev: Device | None = None):
        """The qubit budget on the device: None becomes all it offers for this activation."""
        dev = dev or default_device()
        weak = act.min_qubits == 2
        limit = dev.capacity(weak)
        if max_qubits is None:
            return limit
        if max_qubits > limit:
            what = f"qubits in {limit // 2} coupled neuron/ancilla pairs" if weak else "qubits"
            where = "heavy-hex device model" if dev is default_device() else "device"
            raise TargetError(f"target 'ibm' ({where} {dev.name}) offers {limit} {what}; pass max_qubits <= {limit}")
        return max_qubits

    def build(self, circuits, act, int_bits: int, schedules: tuple) -> Built:
        """The QuantumCircuits (no OpenQASM text); ``place`` transpiles them for a device."""
        return Built(tuple(to_qiskit(c, f"layer{k}") for k, c in enumerate(circuits)))

    def place(self, native: tuple, dev: Device) -> "DeviceCircuits":
        return for_device(native, dev)

    binary_formats = {".qpy": "Qiskit circuits"}

    def document(self, prog) -> dict:
        """Layout, resources, each circuit in OpenQASM 3 (Qiskit's exporter), and the device."""
        from qiskit import qasm3

        doc = super().document(prog)
        doc["circuits"] = list(prog.qasm_texts or (qasm3.dumps(qc) for qc in prog.native))
        if prog.device is not None:
            doc["device"] = prog.device.device.name
            doc["physical_layouts"] = [list(layout) for layout in prog.device.layouts]
        return doc

    def to_bytes(self, prog, suffix: str) -> bytes:
        """``.qpy``: the ISA circuits, one per circuit of the program — parameters ``theta[j]``
        (neuron j's angle), register ``m`` — each circuit's metadata naming its layer, its slice
        of m, the device and the physical qubit of each virtual one."""
        import io

        from qiskit import qpy

        circuits = []
        for k, isa in enumerate(prog.isa):
            qc = isa.copy()
            bits = prog.layout if prog.strategy == "dynamic" else [prog.layout[k]]
            qc.metadata = dict(isa.metadata or {}, bnn2q={
                "layers": [row[0] for row in bits], "bits": [bits[0][1], bits[-1][2]],
                "strategy": prog.strategy, "activation": prog.activation.name,
                "quantumness": prog.activation.quantumness, "g": getattr(prog.activation, "g", None)})
            circuits.append(qc)
        buf = io.BytesIO()
        qpy.dump(circuits, buf)
        return buf.getvalue()



@dataclass(frozen=True, eq=False)
class DeviceCircuits:
    """A program's circuits for one device.

    logical: the parametric QuantumCircuits (virtual qubits; what ``isa`` was made from).
    isa: the same transpiled for ``device`` (its native gates, its physical qubits).
    layouts: per circuit, the physical qubit of each virtual qubit."""

    device: Device
    logical: tuple
    isa: tuple = field(repr=False)
    layouts: tuple

    def report(self) -> dict:
        two_qubit = lambda t: sum(n for g, n in t.count_ops().items() if g in ("cz", "cx", "ecr", "swap"))  # noqa: E731
        return {
            "device": self.device.name,
            "optimization_level": OPTIMIZATION_LEVEL,
            "depth": int(sum(t.depth() for t in self.isa)),
            "two_qubit_gates": int(sum(two_qubit(t) for t in self.isa)),
            "swaps": int(sum(t.count_ops().get("swap", 0) for t in self.isa)),
            "physical_qubits": sorted({q for layout in self.layouts for q in layout}),
        }


def for_device(logical: tuple, dev: Device) -> DeviceCircuits:
    """Transpile each parametric circuit for ``dev`` with its neurons on the device's slots
    (pairs on couplers when the circuit has neuron/ancilla pairs) and check the result: the
    layout kept, no swaps, every instruction native to the device."""
    from qiskit import transpile

    isa, layouts = [], []
    for qc in logical:
        ops = qc.count_ops()
        if "reset" in ops and not dev.supports("reset"):
            raise TargetError(f"device {dev.name!r} has no reset, which reusing qubits needs; raise "
                              f"max_qubits so that every neuron gets fresh qubits")
        layout = dev.initial_layout(qc.num_qubits, "cx" in ops)
        out = transpile(qc, target=dev.target, initial_layout=layout, optimization_level=OPTIMIZATION_LEVEL,
                        seed_transpiler=0)
        if out.layout is not None and out.layout.initial_index_layout()[: len(layout)] != layout:
            raise TargetError(f"the transpiler moved {qc.name} off the qubits chosen on {dev.name!r}")
        bad = _not_native(out, dev.target)
        if bad or out.count_ops().get("swap"):
            raise TargetError(f"{qc.name} did not transpile to native instructions of {dev.name!r}: {bad[:3]}")
        if list(out.parameters) != list(qc.parameters):
            raise TargetError(f"{qc.name}: the transpiler changed the circuit's parameters")
        out.metadata = dict(qc.metadata or {}, device=dev.name, layout=layout)
        isa.append(out)
        layouts.append(tuple(layout))
    return DeviceCircuits(dev, tuple(logical), tuple(isa), tuple(layouts))


def _not_native(isa, target) -> list:
    """Instructions of ``isa`` the Target does not offer on their qubits."""
    bad = []
    for ci in isa.data:
        name = ci.operation.name
        if name == "barrier":
            continue
        if name in ("if_else", "for_loop", "while_loop", "switch_case", "box"):
            ok = target.instruction_supported(name)
        else:
            ok = target.instruction_supported(name, tuple(isa.find_bit(q).index for q in ci.qubits))
        if not ok:
            bad.append((name, tuple(isa.find_bit(q).index for q in ci.qubits)))
    return bad


TARGET = IbmTarget()
