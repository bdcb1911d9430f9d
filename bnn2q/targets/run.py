"""``bnn2q.run`` and ``execute``: sample compiled programs on Braket's local simulator, aer,
Quantinuum's local emulator (PECOS) or Selene (Helios programs, in the optional Helios venv)."""

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

#: Each backend and the target whose programs it runs (``execute`` compiles for it).
TARGET_OF = {"braket-local": "braket", "aer": "ibm", "quantinuum-local": "quantinuum", "selene": "helios"}
BACKENDS = tuple(TARGET_OF)


def run(prog, backend: str = "braket-local", shots: int = 1000, seed: int | None = 0, inputs=None) -> dict:
    """Sample a compiled program.

    Args:
        prog: from ``bnn2q.compile``.
        backend: ``"braket-local"`` (programs for qasm3/braket), ``"aer"`` (ibm),
            ``"quantinuum-local"`` (quantinuum: PECOS) or ``"selene"`` (helios: needs
            ``make helios``).
        shots: number of shots.
        seed: seed of the simulator's random draws.
        inputs: one sample, when the program was compiled without ``inputs=``.

    Returns:
        {bitstring of m: count}, m[0] the leftmost character.
    """
    bits = sample_bits(prog, backend, shots, seed, inputs)
    return dict(Counter("".join(map(str, row)) for row in bits.tolist()))


def sample_bits(prog, backend: str, shots: int, seed, inputs=None) -> np.ndarray:
    """uint8 outcomes of m, [shots, n_bits]."""
    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")
    caps = get_target(prog.target).CAPABILITIES
    if backend not in caps.backends:
        wanted = "qasm3' or 'braket" if backend == "braket-local" else TARGET_OF[backend]
        raise TargetError(f"backend {backend!r} does not run programs for target {prog.target!r}; "
                          f"compile with target='{wanted}'")
    if int(shots) != shots or shots < 1:
        raise InputError(f"shots must be a positive integer, got {shots!r}")
    shots = int(shots)
    x = _sample(prog, inputs)
    rng = np.random.default_rng(seed)
    next_seed = lambda: int(rng.integers(2**31))  # noqa: E731
    if backend == "selene":
        from . import helios_env

        return helios_env.sample(prog, _first_angles(prog, x), shots, next_seed())
    if backend == "braket-local":
        from . import braket_local

        def run_text(k, values, n):
            circuit = prog.circuits[k]
            bound = {name: float(values[_index(name)]) for name in circuit.params}
            return braket_local.sample(_braket_text(prog, k), bound, n, next_seed(), circuit.n_qubits,
                                       circuit.n_bits, density_matrix=_resets_entangled(circuit))

        if prog.strategy == "dynamic":
            return run_text(0, _first_angles(prog, x), shots)
        return layerwise.sample(prog, x, shots,
                                lambda k, rows, counts: [run_text(k, r, int(c)) for r, c in zip(rows, counts)])
    if backend == "quantinuum-local":
        return _run_pecos(prog, x, shots, next_seed())
    from . import aer

    return layerwise.sample(prog, x, shots,
                            lambda k, rows, counts: aer.sample_bindings(prog.native[k], rows, counts, next_seed()))


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

    return qasm3.dumps(prog.circuits[k], "braket", prog.resources.get("int_bits", 32))


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


def execute(net, x, backend: str = "braket-local", activation="rotation", quantumness: float = 0.0,
            g: float = math.pi / 2, shots: int = 100, seed: int | None = 0,
            max_qubits: int | None = None, progress: bool = False) -> SimResult:
    """Run every sample of ``x`` on a compiled program and read the logits out on the host.

    The network is compiled once with its inputs left as program inputs (for the backend's
    target, ``TARGET_OF``), on ``max_qubits`` qubits — by default the activation's minimum,
    which simulators run fastest — and each sample is bound and run.

    Returns:
        SimResult, like ``bnn2q.simulate``: per-layer bits, per-shot logits.
    """
    from ..frontends import load

    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")
    net = load(net)
    act = activations.get(activation, quantumness, g)
    budget = minimum_qubits(net, act) if max_qubits is None else max_qubits
    prog = compile(net, target=TARGET_OF[backend], activation=act, max_qubits=budget)
    xs = prepare_inputs(net, x)
    seeds = np.random.SeedSequence(seed).spawn(len(xs))
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
