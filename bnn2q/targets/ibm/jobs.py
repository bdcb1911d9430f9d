"""Runners: what executes a layer's circuit for many angle vectors, one job per layer.

A layer's work is a set of *groups* — (angle vectors [B, n_params], shots) — every vector in a
group wanting the same number of shots; a job holds one PUB per group (a PUB's shots apply to
each of its bindings). ``runner(backend)`` picks the runner:

    "aer"                       AerRunner, noiseless, on the logical circuits
    "ibm:NAME", a fake backend  AerRunner with the device's noise (``NoiseModel.from_backend``,
                                as ``AerSimulator.from_backend`` runs it), on its ISA circuits
    a DeviceNoise               AerRunner with its noise model, on its ISA circuits
    an AerSimulator             AerRunner with its noise model and method
    a real IBM backend          SamplerRunner: qiskit-ibm-runtime's SamplerV2 in job mode
    another BackendV2           SamplerRunner: Qiskit's BackendSamplerV2
    a SamplerV2 (any)           SamplerRunner on the program's ISA circuits

IBM runtime's local mode (``SamplerV2(mode=fake_backend)``) is a sampler like any other, but
it builds its noise from the backend's *properties* (asymmetric readout), not from the Target
that ``NoiseModel.from_backend`` and ``bnn2q.noise`` read: its statistics differ slightly
(up to ~4e-3 in P(1)), which is why a fake backend runs through AerRunner.
"""

from __future__ import annotations

import weakref

import numpy as np

from ...errors import InputError, TargetError

#: Above this many active qubits Aer uses matrix product states: a bnn2q layer is a product of
#: single-qubit and neuron/ancilla states, which MPS holds in linear memory; a state vector
#: of 64 active qubits does not fit.
STATEVECTOR_QUBITS = 20
#: Aer seeds binding i of a run with seed + 2113 i; groups get disjoint ranges of that stride.
AER_SEED_STRIDE = 2113
#: IBM runtime's limit on one Sampler job: bindings × shots.
IBM_MAX_EXECUTIONS = 10_000_000


class Runner:
    """Runs one job of (circuit, groups); counts the jobs it submitted.

    device: the Device whose ISA circuits it runs (None: the program's own circuits)."""

    label = "runner"
    #: Whether it simulates on this machine (Aer) rather than sending jobs to a device.
    simulator = False
    device = None
    max_executions = None

    def __init__(self):
        self.jobs = 0

    def circuits(self, prog) -> tuple:
        """The circuits this runner executes for ``prog``: its ISA circuits for the device."""
        from .target import for_device

        if prog.target != "ibm":
            raise TargetError(f"{self.label} runs programs for target 'ibm', not {prog.target!r}; compile with "
                              "target='ibm'")
        dev = self.device
        if dev is None or dev.name == prog.device.device.name and dev.target is prog.device.device.target:
            return prog.device.isa
        return for_device(prog.device.logical, dev).isa

    def run(self, circuit, groups: list, seed: int, progress=None) -> list[np.ndarray]:
        """Per group (values [B, n_params], shots): uint8 bits [B, shots, n_bits]."""
        raise NotImplementedError


class AerRunner(Runner):
    simulator = True
    """qiskit-aer's SamplerV2, one sampler per group: Aer seeds every PUB of a job from the same
    value, so groups of one job would share their random draws; each group here gets its own
    range of seeds instead. The noise model is restricted to the circuit's qubits
    (``ibm.noise.fold.restricted``: the same channels, without seconds of conversion per run)."""

    def __init__(self, noise_model=None, device=None, label: str = "aer", method: str | None = None,
                 logical: bool = False):
        super().__init__()
        self.noise_model, self.device, self.label, self.method = noise_model, device, label, method
        self.logical = logical

    def circuits(self, prog) -> tuple:
        if self.logical:
            return prog.native
        return super().circuits(prog)

    def run(self, circuit, groups, seed, progress=None):
        from qiskit_aer.primitives import SamplerV2

        from .noise.fold import restricted

        active = {circuit.find_bit(q).index for ci in circuit.data for q in ci.qubits}
        options = {"method": self.method or _method(active)}
        if self.noise_model is not None:
            options["noise_model"] = restricted(self.noise_model, active)
        sampler = SamplerV2(options={"backend_options": options, "run_options": {}})
        out, offset = [], 0
        base = int(seed) % (2**62)
        for values, shots in groups:
            sampler.options.run_options["seed_simulator"] = base + AER_SEED_STRIDE * offset
            result = sampler.run([_pub(circuit, values, shots)]).result()[0]
            out.append(_bits(result, len(values), shots))
            offset += len(values)
            if progress is not None:
                progress(len(values) * shots)
        self.jobs += 1
        return out


class SamplerRunner(Runner):
    """Any Qiskit SamplerV2: the layer's groups as PUBs of one job."""

    max_executions = IBM_MAX_EXECUTIONS

    def __init__(self, sampler, device=None, label: str = "sampler"):
        super().__init__()
        self.sampler, self.device, self.label = sampler, device, label

    def run(self, circuit, groups, seed, progress=None):
        job = self.sampler.run([_pub(circuit, values, shots) for values, shots in groups])
        self.jobs += 1
        result = job.result()
        out = [_bits(result[i], len(values), shots) for i, (values, shots) in enumerate(groups)]
        if progress is not None:
            progress(sum(len(v) * s for v, s in groups))
        return out


def _pub(circuit, values, shots):
    return (circuit, np.asarray(values, dtype=np.float64) if circuit.num_parameters else None, int(shots))


def _bits(result, n_values: int, shots: int) -> np.ndarray:
    """uint8 [n_values, shots, n_bits] from a PUB result (register ``m``; m[0] in column 0)."""
    data = result.data
    array = getattr(data, "m", None)
    if array is None:
        names = list(data.keys()) if hasattr(data, "keys") else []
        if len(names) != 1:
            raise TargetError(f"a result without register 'm' (registers: {names})")
        array = getattr(data, names[0])
    bits = array.to_bool_array(order="little").astype(np.uint8)
    return bits.reshape(n_values, shots, bits.shape[-1])


def _method(active: set) -> str:
    return "matrix_product_state" if len(active) > STATEVECTOR_QUBITS else "statevector"


# --------------------------------------------------------------------------- choosing a runner

_NOISE_OF = weakref.WeakKeyDictionary()


def runner(backend) -> Runner:
    """The runner for ``backend`` (see the module docstring)."""
    from qiskit.primitives import BaseSamplerV2

    from .noise import DeviceNoise
    from .devices import PREFIX, device, get_backend

    if isinstance(backend, str):
        if backend == "aer":
            return AerRunner(logical=True)
        if not backend.startswith(PREFIX):
            raise InputError(f"unknown backend {backend!r}: use braket-local, aer, or ibm:NAME (e.g. ibm:fake_torino)")
        if backend[len(PREFIX):].startswith("fake_"):
            from .noise import load

            return runner(load(backend[len(PREFIX):]))  # cached: the same model simulate(noise=...) folds
        return runner(get_backend(backend))
    if isinstance(backend, DeviceNoise):
        return AerRunner(backend.noise_model, device(backend), backend.name)
    if isinstance(backend, BaseSamplerV2):
        mode = getattr(backend, "mode", None)
        dev = device(mode) if mode is not None and hasattr(mode, "target") else None
        return SamplerRunner(backend, dev, f"{type(backend).__name__}")
    if not hasattr(backend, "target"):
        raise InputError(f"{type(backend).__name__} is not a backend: pass 'braket-local', 'aer', 'ibm:NAME', a "
                         "Qiskit BackendV2, a SamplerV2 or a DeviceNoise")
    from qiskit_aer import AerSimulator

    if isinstance(backend, AerSimulator):
        method = backend.options.method
        return AerRunner(backend.options.noise_model, device(backend), backend.name,
                         None if method == "automatic" else method)
    if _is_fake(backend):
        if backend not in _NOISE_OF:
            _NOISE_OF[backend] = DeviceNoise.from_backend(backend)
        return runner(_NOISE_OF[backend])
    if type(backend).__name__ == "IBMBackend":
        from qiskit_ibm_runtime import SamplerV2

        return SamplerRunner(SamplerV2(mode=backend), device(backend), backend.name)
    from qiskit.primitives import BackendSamplerV2

    return SamplerRunner(BackendSamplerV2(backend=backend), device(backend), str(backend.name))


def _is_fake(backend) -> bool:
    try:
        from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2
    except ImportError:
        return False
    return isinstance(backend, FakeBackendV2)
