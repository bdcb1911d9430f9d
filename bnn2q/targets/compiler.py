"""``bnn2q.compile``: pick a strategy the target can run, run the passes, build its objects."""

from __future__ import annotations

import math

from .. import activations
from ..errors import InputError, TargetError
from ..host.inputs import prepare_inputs
from ..ir import MaxPool2D, Network
from ..ir.network import CORE, ENCODER
from ..ir.plan import LevelChain
from .capabilities import FEED_FORWARD, SUMS
from .lowering import lower
from .program import CompiledProgram
from .registry import get_target

STRATEGIES = ("auto", "dynamic", "layerwise")


def compile(net, target: str = "qasm3", activation="rotation", quantumness: float = 0.0,
            g: float = math.pi / 2, max_qubits: int | None = None, inputs=None,
            tolerance: float = 0.0, strategy: str = "auto", int_bits: int | None = None,
            backend=None) -> CompiledProgram:
    """Compile a BNN to a quantum program (SPEC §4–5).

    Args:
        net: a Network or anything ``bnn2q.load`` accepts.
        target: ``"qasm3"``, ``"braket"``, ``"ibm"``, ``"quantinuum"`` (pytket, H2/Helios) or
            ``"helios"`` (Guppy, angles computed at run time).
        activation, quantumness, g: the quantum neuron (``bnn2q.activations.get``).
        max_qubits: physical qubit budget (≥ 1 rotation, ≥ 2 ancilla-reset, ≥ the widest
            layer + 1 for ancilla, whose neuron qubits keep their state); None: unbounded (for
            ``ibm``: the device model's size).
        inputs: one sample to bake into the first layer's angles; None leaves them program
            inputs ``theta_<j>`` to bind per sample.
        tolerance: angle tolerance ε (radians) for pruning feed-forward levels; 0 is exact
            (``helios`` computes every angle at run time and prunes nothing).
        int_bits: width of the feed-forward integer (real weights become fixed point in it);
            None: the widest the target holds (64 for OpenQASM 3 and Braket, 62 for H2).
        strategy: ``"dynamic"``, ``"layerwise"`` or ``"auto"`` (the target's default that fits).
        backend: target ``ibm`` only: the device to transpile for — a Qiskit ``BackendV2``
            (IBM, fake, AerSimulator), a name (``"ibm:fake_torino"``) or a ``DeviceNoise``;
            None: the heavy-hex device model.

    Returns:
        CompiledProgram with ``.qasm`` (qasm3/braket dynamic), ``.layout``, ``.resources``;
        ``.native`` holds the target's objects (Qiskit circuits, pytket ``Circuit``, Guppy
        source, ...), and for ``ibm`` ``.isa`` the device's ISA circuits.
    """
    from ..frontends import load

    options = dict(max_qubits=max_qubits, tolerance=tolerance, strategy=strategy, int_bits=int_bits)
    tgt = get_target(target)
    net = load(net)
    act = activations.get(activation, quantumness, g)
    caps = tgt.capabilities
    strategy = choose_strategy(caps, strategy, net, act)
    if int_bits is None:
        int_bits = caps.int_bits
    elif int(int_bits) != int_bits or int_bits > caps.int_bits:
        raise TargetError(f"int_bits={int_bits!r}: target {caps.name!r} holds integers of at most "
                          f"{caps.int_bits} bits; pass --int-bits <= {caps.int_bits}")
    dev = tgt.device(backend)
    budget = tgt.budget(act, max_qubits, dev)
    carried = max(net.widths) + 1 if act.memory and len(net.hidden) > 1 else 0
    if strategy == "dynamic" and caps.max_qubits is not None and carried > caps.max_qubits:
        raise TargetError(f"target {target!r} has {caps.max_qubits} qubits but the ancilla activation's carried "
                          f"neurons need {carried} (the widest layer's {carried - 1} + one ancilla); use "
                          "activation 'ancilla-reset' or a target with more qubits")
    if caps.feed_forward == "computed" and tolerance:
        raise TargetError(f"target {target!r} computes every angle at run time and prunes nothing; "
                          "drop the tolerance (--tolerance 0)")
    qnet, schedules, circuits = lower(net, act, inputs, strategy, tolerance, int_bits, budget, caps)
    chains = [n.angle for n in qnet.neurons if isinstance(n.angle, LevelChain)]
    bounds = tuple(n.angle.error if isinstance(n.angle, LevelChain) else 0.0 for n in qnet.neurons)
    resources = circuit_resources(circuits, strategy)
    resources.update(target=target, strategy=strategy, activation=act.name,
                     max_probability_error=max(bounds, default=0.0),
                     max_preactivation_error=max((c.rounding for c in chains), default=0.0),
                     max_conditionals_per_neuron=max((len(c.steps) for c in chains), default=0))
    resources["limits"] = caps.check(resources)
    resources["int_bits"] = int_bits
    built = tgt.build(circuits, act, int_bits, schedules)
    resources.update(built.extra)
    device = None
    if dev is not None:
        # Angles stay parameters on a device even when the sample is baked in (see targets.ibm).
        if inputs is None:
            logical = built.native
        else:
            _, open_schedules, open_circuits = lower(net, act, None, strategy, tolerance, int_bits, budget, caps)
            logical = tgt.build(open_circuits, act, int_bits, open_schedules).native
        device = tgt.place(logical, dev)
        resources["transpiled"] = device.report()
    sample = None if inputs is None else prepare_inputs(net, inputs)[0]
    return CompiledProgram(target, strategy, net, act, circuits, built.native, qnet.layout, resources,
                           bounds, built.texts, qnet, sample, device, options)


def choose_strategy(caps, strategy: str, net: Network, act=None) -> str:
    """The strategy to use, or a TargetError naming the missing capability and the way out."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    fed = [layer for layer in net.hidden if net.producer[layer.preactivation].stage != ENCODER]
    nonlinear = next((s.op.name for s in net.steps if s.stage == CORE and isinstance(s.op, MaxPool2D)
                      and _feeds_a_neuron(net, s.output)), None)
    carried = act is not None and act.memory and len(net.hidden) > 1
    problem = None
    if fed and caps.feed_forward not in SUMS:
        problem = (f"target {caps.name!r} cannot run strategy 'dynamic': layer {fed[0].name!r} needs "
                   f"integer arithmetic on measured bits, and {caps.name} offers "
                   f"{FEED_FORWARD[caps.feed_forward]}; use strategy='layerwise'")
    elif nonlinear is not None:
        problem = (f"strategy 'dynamic' cannot express the max-pool {nonlinear!r} of values fed by "
                   "measured bits (max over sums or OR of bits); use strategy='layerwise'")
    elif carried and caps.feed_forward == "none":
        problem = (f"target {caps.name!r} cannot run strategy 'dynamic': the ancilla activation's "
                   "neurons undo their last outcome with a rotation conditioned on it; use "
                   "strategy='layerwise'")
    if strategy != "auto" and strategy not in caps.strategies:
        raise TargetError(f"target {caps.name!r} supports strategies {', '.join(caps.strategies)}, "
                          f"not {strategy!r}")
    if problem and "layerwise" not in caps.strategies:
        raise TargetError(problem.replace("use strategy='layerwise'", "compile for a target with strategy "
                                          "'layerwise' (qasm3, braket, ibm)"))
    if strategy == "auto":
        default = caps.strategies[0]
        return "layerwise" if default == "dynamic" and problem else default
    if strategy == "dynamic" and problem:
        raise TargetError(problem)
    return strategy


def _feeds_a_neuron(net: Network, value: str) -> bool:
    """Whether ``value`` reaches a hidden layer's pre-activation (not only the head)."""
    stack, seen = [value], set()
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        for step in net.consumers.get(v, []):
            if step.output in net.layer_of:
                return True
            if step.stage == CORE:
                stack.append(step.output)
    return False


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
