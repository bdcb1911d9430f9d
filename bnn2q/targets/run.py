"""``bnn2q.run`` and ``execute``: sample compiled programs on Braket's local simulator,
Quantinuum's local emulator (PECOS), Selene (Helios programs, in the optional Helios
environment), qiskit-aer, or an IBM device (real, fake, or any Qiskit backend or sampler)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .. import activations
from ..circuit import Measure, Reset
from ..errors import InputError, TargetError
from ..sim import SimResult
from ..sim.host import HostPass, encoder_values
from ..sim.inputs import prepare_inputs
from . import layerwise
from .compiler import compile, get_target

#: Backends that run one sample at a time, and the target whose programs each runs.
TARGET_OF = {"braket-local": "braket", "quantinuum-local": "quantinuum", "selene": "helios"}
BACKENDS = (*TARGET_OF, "aer", "ibm:NAME")


def run(prog, backend="braket-local", shots: int = 1000, seed: int | None = 0, inputs=None) -> dict:
    """Sample a compiled program.

    Args:
        prog: from ``bnn2q.compile``.
        backend: ``"braket-local"`` (programs for qasm3/braket), ``"quantinuum-local"``
            (quantinuum: PECOS), ``"selene"`` (helios: needs ``make helios``); for programs for
            ibm ``"aer"`` (noiseless), ``"ibm:NAME"`` (``ibm:fake_torino`` runs Aer with that
            device's noise; a real device needs a saved IBM Quantum account), or an object: a
            Qiskit ``BackendV2`` (IBM, fake, AerSimulator, …), a ``SamplerV2``, a ``DeviceNoise``.
            A device other than the one compiled for gets the program transpiled for it.
        shots: number of shots.
        seed: seed of the simulator's random draws.
        inputs: one sample, when the program was compiled without ``inputs=``.

    Returns:
        {bitstring of m: count}, m[0] the leftmost character.
    """
    bits = sample_bits(prog, backend, shots, seed, inputs)
    return dict(Counter("".join(map(str, row)) for row in bits.tolist()))


def sample_bits(prog, backend, shots: int, seed, inputs=None) -> np.ndarray:
    """uint8 outcomes of m, [shots, n_bits]."""
    if int(shots) != shots or shots < 1:
        raise InputError(f"shots must be a positive integer, got {shots!r}")
    shots = int(shots)
    x = _sample(prog, inputs)
    if isinstance(backend, str) and backend in TARGET_OF:
        _check_target(prog, backend)
        if backend == "braket-local":
            return _braket_bits(prog, x, shots, seed)
        if backend == "quantinuum-local":
            return _run_pecos(prog, x, shots, _draw(seed))
        from . import helios_env

        return helios_env.sample(prog, _first_angles(prog, x), shots, _draw(seed))
    from .evaluate import evaluate
    from .jobs import runner

    if backend == "aer":
        _check_target(prog, "aer")
    result, _ = evaluate(prog, x[None], shots, runner(backend), seed)
    return np.concatenate([b[0] for b in result.bits], axis=1)


def _check_target(prog, backend: str) -> None:
    caps = get_target(prog.target).CAPABILITIES
    if backend not in caps.backends:
        wanted = {"braket-local": "qasm3' or 'braket", "aer": "ibm"}.get(backend) or TARGET_OF[backend]
        raise TargetError(f"backend {backend!r} does not run programs for target {prog.target!r}; "
                          f"compile with target='{wanted}'")


def _braket_bits(prog, x, shots: int, seed) -> np.ndarray:
    from . import braket_local

    rng = np.random.default_rng(seed)

    def run_text(k, values, n):
        circuit = prog.circuits[k]
        bound = {name: float(values[_index(name)]) for name in circuit.params}
        return braket_local.sample(_braket_text(prog, k), bound, n, int(rng.integers(2**31)), circuit.n_qubits,
                                   circuit.n_bits, density_matrix=_resets_entangled(circuit))

    if prog.strategy == "dynamic":
        return run_text(0, _first_angles(prog, x), shots)
    bits, _ = layerwise.sample(prog, x[None], shots,
                               lambda k, rows, counts: [run_text(k, r, int(c)) for r, c in zip(rows, counts)])
    return np.concatenate(bits, axis=1)


def _draw(seed) -> int:
    """The first simulator seed ``sample_bits`` draws from ``seed``."""
    return int(np.random.default_rng(seed).integers(2**31))


def _run_pecos(prog, x, shots: int, seed: int) -> np.ndarray:
    """A quantinuum program on PECOS: its H2-compiled circuit, compiled again with this sample's
    input angles bound when the program left them open."""
    from . import h2, pecos_local, quantinuum

    program = prog.native[0]
    compiled = program.compiled
    if compiled is None:
        bound = program.bind(quantinuum.angle_bindings(program, _first_angles(prog, x)))
        compiled = h2.compile_circuit(bound, prog.resources["h2"]["optimisation_level"])
    return pecos_local.sample(compiled, program.m_bits, shots, seed)


def _braket_text(prog, k: int) -> str:
    """Circuit k in Braket's dialect (the qasm3 target's text includes stdgates.inc)."""
    if prog.target == "braket":
        return prog.qasm_texts[k]
    from . import qasm3

    return qasm3.dumps(prog.circuits[k], "braket", prog.resources["int_bits"])


def _resets_entangled(circuit) -> bool:
    """Whether a qubit is reset without having been measured (the ancilla neuron qubit)."""
    measured = set()
    for op in circuit.ops:
        if isinstance(op, Measure):
            measured.add(op.qubit)
        elif isinstance(op, Reset) and op.qubit not in measured:
            return True
        elif isinstance(op, Reset):
            measured.discard(op.qubit)
    return False


def _index(name: str) -> int:
    return int(name.rsplit("_", 1)[1])


def _sample(prog, inputs):
    """The one sample the program runs on: bound at run time, or baked in at compile time."""
    if prog.sample is not None:
        if inputs is not None:
            raise InputError("this program was compiled with inputs= baked in; run it without inputs")
        return prog.sample
    if inputs is None:
        raise InputError("this program takes its sample at run time: pass inputs= (one sample) "
                         "or compile with inputs=")
    x = prepare_inputs(prog.network, inputs)
    if x.shape[0] != 1:
        raise InputError(f"inputs= takes one sample, got {x.shape[0]}")
    return x[0]


def _first_angles(prog, x) -> np.ndarray:
    """The input angles of a dynamic program's host-computed layers for sample x."""
    circuit = prog.circuits[0]
    if not circuit.params:
        return np.zeros(0)
    net = prog.network
    values = encoder_values(net, x)
    angles = np.zeros(net.n_neurons)
    starts = np.cumsum([0] + net.widths)
    for k, layer in enumerate(net.hidden):
        if layer.preactivation in values:
            u = values[layer.preactivation].reshape(layer.width)
            angles[starts[k]: starts[k + 1]] = prog.activation.angle(u, strict=layer.strict)
    return angles


def minimum_qubits(net, act) -> int:
    """The fewest qubits a dynamic program of ``net`` runs on (neuron qubits that carry their
    state need one each, plus an ancilla)."""
    if act.memory and len(net.hidden) > 1:
        return max(net.widths) + 1
    return act.min_qubits


def execute(net, x, backend="braket-local", activation="rotation", quantumness: float = 0.0,
            g: float = math.pi / 2, shots: int = 100, seed: int | None = 0,
            max_qubits: int | None = None, progress: bool = False, checkpoint=None,
            report: dict | None = None, first_sample: int = 0, ray: str | None = None,
            block: int | None = None) -> SimResult:
    """Run every sample of ``x`` on a compiled program and read the logits out on the host.

    ``braket-local``, ``quantinuum-local``, ``selene``: the network compiled for the backend's
    target (``TARGET_OF``) on ``max_qubits`` qubits (by default the activation's minimum, which
    the simulators run fastest), each sample bound and run in turn. Every other backend
    (``aer``, ``ibm:NAME``, a Qiskit backend or sampler; see ``run``): compiled for target
    ``ibm`` — for the device, on all the qubits it offers unless ``max_qubits`` says
    otherwise — and evaluated one job per layer for all samples × shots (``evaluate``), a
    progress bar per layer.

    Args:
        checkpoint: a directory keeping each finished job's bits: a run that stopped part-way
            resumes from it and recomputes nothing (Qiskit backends only).
        report: a dict to fill with the jobs, executions and bindings of each layer.
        first_sample: the global index of x[0] (the sample-by-sample backends: sample i draws
            from seed sequence ``SeedSequence(seed, spawn_key=(first_sample + i,))``).
        ray: split the samples across Ray tasks on this runtime (``local``, ``auto``, an
            address: ``bnn2q.ray_runtime``), ``block`` samples per task — the same result bit
            for bit (the sample-by-sample backends; ``targets.ray_blocks``).

    Returns:
        SimResult, like ``bnn2q.simulate``: per-layer bits, per-shot logits.
    """
    from ..frontends import load

    net = load(net)
    act = activations.get(activation, quantumness, g)
    xs = prepare_inputs(net, x)
    if ray is not None:
        from .ray_blocks import execute_on_ray

        return execute_on_ray(ray, net, xs, backend, block, progress, checkpoint, activation=activation,
                              quantumness=quantumness, g=g, shots=shots, seed=seed, max_qubits=max_qubits)
    if isinstance(backend, str) and backend in TARGET_OF:
        if checkpoint is not None:
            raise InputError(f"checkpoint= keeps the jobs of Qiskit backends; {backend} runs sample by sample")
        return _execute_each(net, act, xs, backend, shots, seed, max_qubits, progress, first_sample)
    if first_sample:
        raise InputError("first_sample= applies to the sample-by-sample backends and bnn2q.simulate; "
                         f"{backend} runs one job per layer for all samples")
    from .evaluate import evaluate
    from .jobs import runner as runner_for

    runner = runner_for(backend)
    if getattr(runner, "logical", False):  # noiseless Aer: the smallest circuits run fastest
        prog = compile(net, target="ibm", activation=act,
                       max_qubits=minimum_qubits(net, act) if max_qubits is None else max_qubits)
    else:
        prog = compile(net, target="ibm", activation=act, max_qubits=max_qubits, backend=runner.device)
    result, info = evaluate(prog, xs, shots, runner, seed, progress, checkpoint)
    if report is not None:
        report.update(info)
    return result


def _execute_each(net, act, xs, backend: str, shots, seed, max_qubits, progress, first_sample=0) -> SimResult:
    """Compile once with the inputs left open; bind and run each sample in turn."""
    budget = minimum_qubits(net, act) if max_qubits is None else max_qubits
    prog = compile(net, target=TARGET_OF[backend], activation=act, max_qubits=budget)
    # SeedSequence(seed).spawn(n)[i] is exactly this: sample i's stream follows its global index
    seeds = [np.random.SeedSequence(seed, spawn_key=(first_sample + i,)) for i in range(len(xs))]
    bits_out = [np.empty((len(xs), shots, layer.width), dtype=np.uint8) for layer in net.hidden]
    logits = np.empty((len(xs), shots, net.n_classes))
    samples = range(len(xs))
    if progress:
        from tqdm import tqdm

        samples = tqdm(samples, desc=backend, unit="sample", leave=False)
    sample_seeds = [int(s.generate_state(1)[0]) for s in seeds]
    if backend == "selene":  # one Helios process for every sample: Guppy and Selene load once
        from . import helios_env

        batch = helios_env.sample_many([(prog, _first_angles(prog, xs[i]), shots, _draw(sample_seeds[i]))
                                        for i in range(len(xs))])
    for i in samples:
        if backend == "selene":
            bits = batch[i]
        else:
            bits = sample_bits(prog, backend, shots, sample_seeds[i], xs[i])
        host = HostPass(net, xs[i])
        for k, (_, start, stop) in enumerate(prog.layout):
            bits_out[k][i] = bits[:, start:stop]
            host.measured(k, bits_out[k][i])
        logits[i] = host.logits()
    return SimResult(bits_out, logits)
