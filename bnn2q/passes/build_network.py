"""BuildNetwork: place a graph's nodes on the host encoder, the quantum core or the host head,
and list its hidden layers — Graph → Network (the canonical form, see ``ir.network``).

A ``Sign`` reading a learned layer (a dense or convolution upstream) is a hidden layer of
neurons; a sign of the raw input (only scaling and layout before it) binarizes the input on
the host. Values that depend on no neuron are encoder values; values that depend on neurons
and feed a later neuron are core values, which the classical controller computes between
measurements (affine glue, and any real nonlinearity: ReLU, clips, max, products); the rest is
the head. A multi-bit quantizer is host encoding before the first sign; between two signs it
would be a neuron of more than one bit, and is refused, named."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PassError
from ..ir import INPUT, LINEAR_OPS, Affine, Graph, HiddenLayer, MaxPool2D, Network, Quantize, Sign, Step
from ..ir.network import CORE, ENCODER, HEAD
from .base import Pass


@dataclass(frozen=True)
class BuildNetwork(Pass):
    """Graph → Network."""

    name = "build-network"
    accepts = (Graph,)
    returns = (Network,)

    def run(self, graph: Graph) -> Network:
        shapes = graph.shapes  # validates the graph
        nodes = _live(graph)
        if not nodes:
            raise PassError(f"{graph.source}: the model has no layers")
        learned = {INPUT: False}
        for node in nodes:
            learned[node.output] = isinstance(node.op, LINEAR_OPS) or any(learned[v] for v in node.inputs)
        neurons = {n.output for n in nodes if isinstance(n.op, Sign) and learned[n.inputs[0]]}
        if not neurons:
            _refuse_multibit_activations(graph, nodes, learned)
            raise PassError(
                f"{graph.source}: the model has no hidden binary layer, so there is nothing to "
                "quantize; bnn2q needs at least one sign-activated layer before the logits"
            )
        if graph.output in neurons:
            raise PassError(f"{graph.source}: the last layer ends in a sign; bnn2q reads the logits "
                            "of a final layer without sign")
        after_neuron = {INPUT: False}
        for node in nodes:
            after_neuron[node.output] = any(after_neuron[v] or v in neurons for v in node.inputs)
        feeds_neuron = {v: False for v in after_neuron}
        for node in reversed(nodes):
            if node.output in neurons or feeds_neuron[node.output]:
                for v in node.inputs:
                    feeds_neuron[v] = True
        if not after_neuron[graph.output]:
            raise PassError(f"{graph.source}: the logits do not depend on any sign; there is no "
                            "quantum layer between the input and the output")
        steps, hidden = [], []
        names = set()
        producer = {n.output: n for n in nodes}
        for node in nodes:
            if node.output in neurons or (after_neuron[node.output] and feeds_neuron[node.output]):
                stage = CORE
            elif after_neuron[node.output]:
                stage = HEAD
            else:
                stage = ENCODER
            if stage == CORE and isinstance(node.op, Quantize):
                raise PassError(
                    f"{node.op.name!r} is {node.op.describe()} between two sign layers; a neuron is "
                    "one qubit with one bit, so bnn2q reads a multi-bit quantizer only as host "
                    "encoding on the input side of the first sign"
                )
            steps.append(Step(node.op, node.inputs, node.output, stage))
            if node.output in neurons:
                name = _layer_name(node, producer)
                name = name if name not in names else node.op.name
                names.add(name)
                hidden.append(HiddenLayer(name, node.inputs[0], node.output, shapes[node.output],
                                          node.op.strict))
        return Network(graph.input_shape, tuple(steps), tuple(hidden), graph.output,
                       {v: shapes[v] for v in [INPUT] + [n.output for n in nodes]}, graph.source)


def _refuse_multibit_activations(graph: Graph, nodes, learned) -> None:
    """A model whose activations are multi-bit quantizers (DoReFa-Net) has no neuron to make
    quantum: say so rather than 'no sign'."""
    first = next((n.op for n in nodes if isinstance(n.op, Quantize) and learned[n.inputs[0]]), None)
    if first is not None:
        raise PassError(
            f"{graph.source}: its activations are multi-bit quantizers ({first.name!r} is "
            f"{first.describe()}) and none is a sign; a neuron is one qubit with one bit, so bnn2q "
            "reads a multi-bit quantizer only as host encoding before the first sign"
        )


def _live(graph: Graph) -> list:
    """The nodes the output depends on, in order."""
    needed = {graph.output}
    live = []
    for node in reversed(graph.nodes):
        if node.output in needed:
            live.append(node)
            needed.update(node.inputs)
    return live[::-1]


def _layer_name(sign_node, producer) -> str:
    """The dense/convolution a sign's pre-activation comes from (through affine and pooling)."""
    value = sign_node.inputs[0]
    while value in producer:
        node = producer[value]
        if isinstance(node.op, LINEAR_OPS):
            return node.op.name
        if not isinstance(node.op, (Affine, MaxPool2D)) or len(node.inputs) != 1:
            break
        value = node.inputs[0]
    return sign_node.op.name
