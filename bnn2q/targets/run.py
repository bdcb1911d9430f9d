"""``bnn2q.run`` and ``execute``: sample compiled programs on Braket's local simulator,
Quantinuum's local emulator (PECOS), Selene (Helios programs, in the optional Helios
environment), qiskit-aer, or an IBM device (real, fake, or any Qiskit backend or sampler)."""

from __future__ import annotations

import logging
import math

import numpy as np

from .. import activations
from ..errors import InputError, TargetError
from ..host.forward import HostPass
from ..host.inputs import prepare_inputs
from ..sim import SimResult
from ..sim.reference import check_seed, check_shots
from . import layerwise
from .compiler import compile
from .pace import pace
from .registry import TARGET_OF, get_target, sample_by_sample

BACKENDS = (*TARGET_OF, "aer", "ibm:NAME")
#: How a long run's warning ends, on a simulator.
SIMULATOR_ADVICE = ("; fewer shots go faster, and bnn2q.simulate (bnn2q run --backend builtin) samples the "
                    "same statistics in seconds")
log = logging.getLogger("bnn2q")


def run(prog, backend="braket-local", shots: int = 1000, seed: int | None = 0, inputs=None,
        progress: bool | None = None) -> dict:
    """Sample a compiled program.

    A long run shows a progress bar on stderr and warns (the ``bnn2q`` logger) when it looks
    like taking more than a minute. On a local simulator (``braket-local``, ``quantinuum-local``,
    ``selene``) a program compiled without ``max_qubits`` runs recompiled on the activation's
    fewest qubits (the outcome statistics do not depend on the budget; the simulators' time
    grows with the qubits) — the same rule ``execute`` and ``bnn2q run`` follow.

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
        progress: True shows the bar at once, False never, None (default) once the run has
            gone on for two seconds. The estimate warns in every case.

    Returns:
        {bitstring of m: count}, m[0] the leftmost character.
    """
    bits = sample_bits(prog, backend, shots, seed, inputs, progress)
    # Count distinct rows first: only they become strings (10⁸ shots are 10⁸ rows, not strings).
    rows, counts = np.unique(bits, axis=0, return_counts=True)
    return {"".join(map(str, row)): int(c) for row, c in zip(rows.tolist(), counts.tolist())}


def sample_bits(prog, backend, shots: int, seed, inputs=None, progress: bool | None = False) -> np.ndarray:
    """uint8 outcomes of m, [shots, n_bits]."""
    shots = check_shots(shots)
    check_seed(seed)
    x = _sample(prog, inputs)
    label = backend if isinstance(backend, str) else type(backend).__name__
    local = isinstance(backend, str) and (backend in TARGET_OF or backend == "aer")
    with pace(shots, "shot", f"{label}: {shots} shots", progress, SIMULATOR_ADVICE if local else "") as p, \
            p.step(shots):
        if isinstance(backend, str) and backend in TARGET_OF:
            _check_target(prog, backend)
            prog = fit_simulator(prog, backend)
            layerwise.check_memory(prog.network, 1, shots, 1, backend)
            return sample_by_sample(backend).sample_program(prog, x, shots, seed)
        from .ibm.evaluate import evaluate
        from .ibm.jobs import runner

        if backend == "aer":
            _check_target(prog, "aer")
        result, _ = evaluate(prog, x[None], shots, runner(backend), seed)
    return np.concatenate([b[0] for b in result.bits], axis=1)


def fit_simulator(prog, backend: str):
    """``prog``, or — compiled without ``max_qubits`` on more qubits than the activation needs —
    the same program compiled again on the fewest (local simulators run them fastest)."""
    if prog.options.get("max_qubits", 0) is not None:
        return prog
    fewest = minimum_qubits(prog.network, prog.activation)
    if prog.resources["qubits"] <= fewest:
        return prog
    log.info(f"bnn2q: {backend} runs the program on {fewest} qubits (the fewest {prog.activation.name} needs; "
             f"it was compiled on {prog.resources['qubits']}): the same outcome statistics, simulated faster")
    options = {k: v for k, v in prog.options.items() if k != "max_qubits"}
    return compile(prog.network, target=prog.target, activation=prog.activation, max_qubits=fewest,
                   inputs=prog.sample, **options)


def _check_target(prog, backend: str) -> None:
    caps = get_target(prog.target).capabilities
    if backend not in caps.backends:
        wanted = {"braket-local": "qasm3' or 'braket", "aer": "ibm"}.get(backend) or TARGET_OF[backend]
        raise TargetError(f"backend {backend!r} does not run programs for target {prog.target!r}; "
                          f"compile with target='{wanted}'")


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


def minimum_qubits(net, act) -> int:
    """The fewest qubits a dynamic program of ``net`` runs on (neuron qubits that carry their
    state need one each, plus an ancilla)."""
    if act.memory and len(net.hidden) > 1:
        return max(net.widths) + 1
    return act.min_qubits


def execute(net, x, backend="braket-local", activation="rotation", quantumness: float = 0.0,
            g: float = math.pi / 2, shots: int = 100, seed: int | None = 0,
            max_qubits: int | None = None, progress: bool | None = None, checkpoint=None,
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

    A long run shows a progress bar on stderr (``progress``: True at once, False never, None
    once it has gone on for two seconds) and warns (the ``bnn2q`` logger) when it looks like
    taking more than a minute.

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
    shots = check_shots(shots)
    check_seed(seed)
    xs = prepare_inputs(net, x)
    if ray is not None:
        from .ray_blocks import execute_on_ray

        return execute_on_ray(execute, ray, net, xs, backend, block, progress, checkpoint, activation=activation,
                              quantumness=quantumness, g=g, shots=shots, seed=seed, max_qubits=max_qubits)
    if isinstance(backend, str) and backend in TARGET_OF:
        if checkpoint is not None:
            raise InputError(f"checkpoint= keeps the jobs of Qiskit backends; {backend} runs sample by sample")
        return _execute_each(net, act, xs, backend, shots, seed, max_qubits, progress, first_sample)
    if first_sample:
        raise InputError("first_sample= applies to the sample-by-sample backends and bnn2q.simulate; "
                         f"{backend} runs one job per layer for all samples")
    from .ibm.evaluate import evaluate
    from .ibm.jobs import runner as runner_for

    runner = runner_for(backend)
    if getattr(runner, "logical", False):  # noiseless Aer: the smallest circuits run fastest
        prog = compile(net, target="ibm", activation=act,
                       max_qubits=minimum_qubits(net, act) if max_qubits is None else max_qubits)
    else:
        prog = compile(net, target="ibm", activation=act, max_qubits=max_qubits, backend=runner.device)
    advice = SIMULATOR_ADVICE if getattr(runner, "simulator", False) else (
        "" if checkpoint is not None else "; checkpoint= (--checkpoint DIR) keeps each finished job")
    result, info = evaluate(prog, xs, shots, runner, seed, progress, checkpoint, advice)
    if report is not None:
        report.update(info)
    return result


def _execute_each(net, act, xs, backend: str, shots, seed, max_qubits, progress, first_sample=0) -> SimResult:
    """Compile once with the inputs left open; bind and run each sample in turn."""
    # Selene takes every sample in one process and returns them together; the others one at a time.
    layerwise.check_memory(net, len(xs), shots, len(xs) if backend == "selene" else 1, backend)
    budget = minimum_qubits(net, act) if max_qubits is None else max_qubits
    prog = compile(net, target=TARGET_OF[backend], activation=act, max_qubits=budget)
    # SeedSequence(seed).spawn(n)[i] is exactly this: sample i's stream follows its global index
    seeds = [np.random.SeedSequence(seed, spawn_key=(first_sample + i,)) for i in range(len(xs))]
    bits_out = [np.empty((len(xs), shots, layer.width), dtype=np.uint8) for layer in net.hidden]
    logits = np.empty((len(xs), shots, net.n_classes))
    sample_seeds = [int(s.generate_state(1)[0]) for s in seeds]
    with pace(len(xs), "sample", f"{backend}: {len(xs)} samples × {shots} shots", progress,
              SIMULATOR_ADVICE) as p, p.step(len(xs)):
        outcomes = sample_by_sample(backend).sample_programs(prog, xs, shots, sample_seeds)
    for i, bits in enumerate(outcomes):
        host = HostPass(net, xs[i])
        for k, (_, start, stop) in enumerate(prog.layout):
            bits_out[k][i] = bits[:, start:stop]
            host.measured(k, bits_out[k][i])
        logits[i] = host.logits()
    return SimResult(bits_out, logits)
