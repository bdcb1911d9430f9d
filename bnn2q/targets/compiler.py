"""``bnn2q.compile``: pick a strategy the target can run, run the passes, build its objects."""

from __future__ import annotations

import math

from .. import activations
from ..errors import InputError, TargetError
from ..host.inputs import prepare_inputs
from ..ir import Network
from ..ir.network import ENCODER
from ..ir.plan import LevelChain
from ..passes.linear_forms import INTEGER, REAL, classical_steps, reads_the_input, too_large
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
    requested = strategy
    strategy = choose_strategy(caps, strategy, net, act, inputs is not None)
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
    try:
        qnet, schedules, circuits = lower(net, act, inputs, strategy, tolerance, int_bits, budget, caps)
    except TargetError:
        # ``auto`` picks what runs: the host computes what the feed-forward cannot (e.g. real
        # weights at τ > 0 without a tolerance).
        if requested != "auto" or strategy != "dynamic" or "layerwise" not in caps.strategies:
            raise
        strategy = "layerwise"
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


def choose_strategy(caps, strategy: str, net: Network, act=None, inputs_given: bool = True) -> str:
    """The strategy to use, or a TargetError naming the missing capability and the way out.
    ``auto`` takes the target's default, or ``layerwise`` where its dynamic feed-forward cannot
    compute what the network needs (the host computes anything between measurements)."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    if strategy != "auto" and strategy not in caps.strategies:
        raise TargetError(f"target {caps.name!r} supports strategies {', '.join(caps.strategies)}, "
                          f"not {strategy!r}")
    problem = _dynamic_problem(caps, net, act, inputs_given)
    if problem and "layerwise" not in caps.strategies:
        raise TargetError(problem.replace("use strategy='layerwise'", "compile for a target with strategy "
                                          "'layerwise' (qasm3, braket, ibm)"))
    if strategy == "auto":
        default = caps.strategies[0]
        return "layerwise" if default == "dynamic" and problem else default
    if strategy == "dynamic" and problem:
        raise TargetError(problem)
    return strategy


def _dynamic_problem(caps, net: Network, act, inputs_given: bool) -> str | None:
    """Why strategy 'dynamic' cannot run ``net`` on a target with ``caps``, or None."""
    fed = [layer for layer in net.hidden if net.producer[layer.preactivation].stage != ENCODER]
    if fed and caps.feed_forward not in SUMS:
        return (f"target {caps.name!r} cannot run strategy 'dynamic': layer {fed[0].name!r} needs "
                f"integer arithmetic on measured bits, and {caps.name} offers "
                f"{FEED_FORWARD[caps.feed_forward]}; use strategy='layerwise'")
    if act is not None and act.memory and len(net.hidden) > 1 and caps.feed_forward == "none":
        return (f"target {caps.name!r} cannot run strategy 'dynamic': the ancilla activation's "
                "neurons undo their last outcome with a rotation conditioned on it; use "
                "strategy='layerwise'")
    if not fed:
        return None
    if caps.feed_forward == "computed":
        return too_large(net)
    for op, kind in classical_steps(net):
        what = _describe(op)
        if kind == REAL:
            return (f"strategy 'dynamic' on target {caps.name!r} cannot compute {what} between "
                    "measurements: its feed-forward is integer arithmetic (sums, comparisons, clamps and max "
                    "of integer sums); use strategy='layerwise', or target 'helios', which computes it at run time")
        if kind == INTEGER and not caps.integer_aux:
            return (f"target {caps.name!r} cannot compute {what} of values fed by measured bits: its feed-forward "
                    "holds one sum per neuron, not values between neurons; compile for target 'qasm3' or "
                    "'braket' (strategy 'dynamic') or 'helios', or use strategy='layerwise'")
    size = too_large(net)
    if size is not None:
        return size
    reader = None if inputs_given else reads_the_input(net)
    if reader is not None:
        return (f"layer {reader!r} reads the input as well as measured bits (a shortcut from the encoder): its "
                "feed-forward depends on the sample; compile with the sample baked in (inputs=, --sample) or use "
                "strategy='layerwise'")
    return None


def _describe(op) -> str:
    names = {"MaxPool2D": "the max-pool", "Maximum": "the max", "Minimum": "the min", "Multiply": "the product",
             "Clip": "the clip"}
    kind = type(op).__name__
    if kind == "Elementwise":
        return f"the {op.fn.replace('_', '-')} {op.name!r}"
    return f"{names.get(kind, kind)} {op.name!r}"


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
