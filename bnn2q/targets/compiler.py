"""``bnn2q.compile``: pick a strategy the target can run, run the passes, build its objects."""

from __future__ import annotations

import math
from dataclasses import replace

from .. import activations
from ..circuit import Circuit
from ..errors import InputError, TargetError
from ..ir import Network
from ..passes.allocate_qubits import AllocateQubits
from ..passes.insert_activation import InsertActivation
from ..passes.lower_to_circuit import LowerToCircuit
from ..passes.manager import PassManager
from ..passes.prune_levels import PruneLevels
from ..plan import InputAngle, LevelChain, QuantumLayer, QuantumNetwork, Schedule
from .capabilities import FEED_FORWARD
from .program import CompiledProgram

STRATEGIES = ("auto", "dynamic", "layerwise")
IR_TYPES = (Network, QuantumNetwork, Schedule, Circuit)


def get_target(name: str):
    """The target module for ``name`` (``qasm3``, ``braket``, ``ibm``)."""
    from . import braket, ibm, qasm3_target

    targets = {"qasm3": qasm3_target, "braket": braket, "ibm": ibm}
    if name not in targets:
        raise InputError(f"unknown target {name!r}: use one of {', '.join(targets)}")
    return targets[name]


def compile(net, target: str = "qasm3", activation="rotation", quantumness: float = 0.0,
            g: float = math.pi / 2, max_qubits: int | None = None, inputs=None,
            tolerance: float = 0.0, strategy: str = "auto") -> CompiledProgram:
    """Compile a BNN to a quantum program (SPEC §4–5).

    Args:
        net: a Network or anything ``bnn2q.load`` accepts.
        target: ``"qasm3"``, ``"braket"`` or ``"ibm"``.
        activation, quantumness, g: the quantum neuron (``bnn2q.activations.get``).
        max_qubits: physical qubit budget (≥ 1 rotation, ≥ 2 ancilla); None: unbounded
            (for ``ibm``: the device model's size).
        inputs: one sample to bake into the first layer's angles; None leaves them program
            inputs ``theta_<j>`` to bind per sample.
        tolerance: angle tolerance ε (radians) for pruning feed-forward levels; 0 is exact.
        strategy: ``"dynamic"``, ``"layerwise"`` or ``"auto"`` (the target's default that fits).

    Returns:
        CompiledProgram with ``.qasm`` (qasm3/braket dynamic), ``.layout``, ``.resources``.
    """
    from ..frontends import load

    spec = get_target(target)
    net = load(net)
    act = activations.get(activation, quantumness, g)
    caps = spec.CAPABILITIES
    strategy = choose_strategy(caps, strategy, net)
    budget = spec.budget(act, max_qubits) if hasattr(spec, "budget") else max_qubits
    feed = "dynamic" if strategy == "dynamic" else "host"
    qnet = PassManager([InsertActivation(act, inputs, feed), PruneLevels(tolerance)], IR_TYPES).run(net)
    lower = [AllocateQubits(budget), LowerToCircuit()]
    if strategy == "dynamic":
        circuits = (PassManager(lower, IR_TYPES).run(qnet),)
    else:
        circuits = tuple(PassManager(lower, IR_TYPES).run(single_layer(qnet, k)) for k in range(len(qnet.layers)))
    bounds = tuple(n.angle.error if isinstance(n.angle, LevelChain) else 0.0 for n in qnet.neurons)
    resources = circuit_resources(circuits, strategy)
    resources.update(target=target, strategy=strategy, activation=act.name,
                     max_probability_error=max(bounds, default=0.0))
    resources["limits"] = caps.check(resources)
    native, texts, extra = spec.build(circuits, act)
    resources.update(extra)
    return CompiledProgram(target, strategy, net, act, circuits, native, qnet.layout, resources,
                           bounds, texts)


def choose_strategy(caps, strategy: str, net: Network) -> str:
    """The strategy to use, or a TargetError naming the missing capability and the way out."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    hidden = net.hidden
    pooled = next((l.name for k, l in enumerate(hidden) if k > 0 and
                   (l.pool is not None or hidden[k - 1].or_pool is not None)), None)
    needs_arithmetic = len(hidden) > 1
    problem = None
    if needs_arithmetic and caps.feed_forward != "arithmetic":
        problem = (f"target {caps.name!r} cannot run strategy 'dynamic': layer {hidden[1].name!r} needs "
                   f"integer arithmetic on measured bits, and {caps.name} offers "
                   f"{FEED_FORWARD[caps.feed_forward]}; use strategy='layerwise'")
    elif pooled is not None:
        problem = (f"strategy 'dynamic' cannot express the pooling feeding layer {pooled!r} "
                   "(max over sums or OR of bits); use strategy='layerwise'")
    if strategy == "auto":
        default = caps.strategies[0]
        return "layerwise" if default == "dynamic" and problem else default
    if strategy not in caps.strategies:
        raise TargetError(f"target {caps.name!r} supports strategies {', '.join(caps.strategies)}, "
                          f"not {strategy!r}")
    if strategy == "dynamic" and problem:
        raise TargetError(problem)
    return strategy


def single_layer(qnet: QuantumNetwork, k: int) -> QuantumNetwork:
    """Hidden layer k alone, its bits re-based to m[0:width] and input angles ``theta_<j>``."""
    layer = qnet.layers[k]
    neurons = tuple(
        replace(n, bit=n.index, angle=InputAngle(f"theta_{n.index}") if isinstance(n.angle, InputAngle) else n.angle)
        for n in layer.neurons
    )
    one = QuantumLayer(layer.name, neurons, 0, len(neurons))
    return QuantumNetwork((one,), qnet.activation, qnet.source)


def circuit_resources(circuits: tuple, strategy: str) -> dict:
    """Counts over the circuits (layerwise: summed, qubits the largest, depth end to end)."""
    counts = [c.counts() for c in circuits]
    total = lambda key: int(sum(c.get(key, 0) for c in counts))  # noqa: E731
    return {
        "qubits": max(c.n_qubits for c in circuits),
        "circuits": len(circuits),
        "measurements": total("measure"),
        "resets": total("reset"),
        "conditionals": total("if"),
        "classical_assignments": total("setsum"),
        "gates": total("ry") + total("x") + total("h") + total("cx") + total("if"),
        "two_qubit_gates": total("cx"),
        "depth": int(sum(c.depth() for c in circuits)),
        "input_angles": int(sum(len(c.params) for c in circuits)),
    }
