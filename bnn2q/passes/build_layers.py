"""BuildLayers: group a canonical op graph into the neuron-level Network.

Accepted shape (after FoldBatchNorm and FuseAffine), per layer:
    linear (Dense | Conv2D) {Affine | MaxPool2D} Sign {MaxPool2D}
for hidden layers (pools before the sign move onto the sums, see ``_pool_sums``; pools after
it OR the bits), and ``linear [Affine]`` for the final logits layer. An optional leading Sign
binarizes the input. Anything else is rejected, naming the op that does not fit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import PassError
from ..ir import LINEAR_OPS, Affine, Graph, Layer, MaxPool2D, Network, Sign
from .base import Pass


@dataclass(frozen=True)
class BuildLayers(Pass):
    """Graph → Network: one Layer per linear op, with its (a, c), pooling and sign."""

    name = "build-layers"
    accepts = (Graph,)
    returns = (Network,)

    def run(self, graph: Graph) -> Network:
        ops = list(graph.ops)
        if not ops:
            raise PassError(f"{graph.source}: the model has no layers")
        real_input = not isinstance(ops[0], Sign)
        i = 0 if real_input else 1
        shape: tuple = tuple(graph.input_shape)
        prev_name = "the input"
        layers: list[Layer] = []
        while i < len(ops):
            op = ops[i]
            if not isinstance(op, LINEAR_OPS):
                raise PassError(
                    f"{op.name!r} ({type(op).__name__}) follows {prev_name!r} where a dense or "
                    f"convolution layer is expected; bnn2q compiles linear → [batch-norm] → sign chains"
                )
            if op.n_in != int(np.prod(shape)):
                raise PassError(
                    f"layer {op.name!r} expects {op.n_in} inputs but {prev_name!r} gives "
                    f"{int(np.prod(shape))}; the model's shapes are inconsistent"
                )
            linear, i = op, i + 1
            shape = linear.out_shape
            scale = np.ones(int(np.prod(shape)))
            offset = np.zeros(int(np.prod(shape)))
            pool = None
            while i < len(ops) and isinstance(ops[i], (Affine, MaxPool2D)):
                if isinstance(ops[i], Affine):
                    a, c = _broadcast(ops[i], shape)
                    scale, offset = a * scale, a * offset + c
                else:
                    pool, scale, offset = _pool_sums(ops[i], shape, pool, scale, offset)
                    shape = ops[i].out_shape
                i += 1
            hidden = i < len(ops) and isinstance(ops[i], Sign)
            or_pool = None
            if hidden:
                i += 1
                while i < len(ops) and isinstance(ops[i], MaxPool2D):
                    groups = _pool(ops[i], shape)
                    or_pool = groups if or_pool is None else or_pool[groups].reshape(len(groups), -1)
                    shape, i = ops[i].out_shape, i + 1
            elif i < len(ops):
                raise PassError(
                    f"layer {linear.name!r} feeds real values into {ops[i].name!r}; every layer "
                    "but the last needs a sign activation (a sign-like input_quantizer)"
                )
            layers.append(Layer(linear.name, linear, scale, offset, hidden, pool, or_pool))
            prev_name = linear.name
        if layers[-1].hidden:
            raise PassError(
                f"the last layer {layers[-1].name!r} ends in a sign; bnn2q reads the logits of a "
                "final layer without sign"
            )
        if len(layers) < 2:
            raise PassError(
                f"{graph.source}: the model has no hidden binary layer, so there is nothing to "
                "quantize; bnn2q needs at least one sign-activated layer before the logits"
            )
        return Network(tuple(graph.input_shape), tuple(layers), real_input, graph.source)


def _pool_sums(op: MaxPool2D, shape: tuple, pool, scale, offset):
    """Move a max-pool of u = a z + c onto the sums: max_k (a z_k + c) = a max_k z_k + c when
    (a, c) is the same over the window and a ≥ 0. Stacked pools compose: G = G₁[G₂]."""
    groups = _pool(op, shape)
    a, c = scale[groups], offset[groups]
    if np.any(a < 0) or np.any(a != a[:, :1]) or np.any(c != c[:, :1]):
        raise PassError(
            f"max-pool {op.name!r} follows a scale that is negative or varies within its "
            "window (a batch-norm with negative gamma?); it cannot move onto the sums; pool "
            "before the batch-norm (Larq's conv → pool → BN order)"
        )
    merged = groups if pool is None else pool[groups].reshape(len(groups), -1)
    return merged, a[:, 0], c[:, 0]


def _pool(op: MaxPool2D, shape: tuple) -> np.ndarray:
    if tuple(op.in_shape) != tuple(shape):
        raise PassError(f"max-pool {op.name!r} expects input {op.in_shape}, gets {tuple(shape)}")
    return op.groups()


def _broadcast(op: Affine, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    n = int(np.prod(shape))
    try:
        scale = np.broadcast_to(op.scale, shape).reshape(n)
        offset = np.broadcast_to(op.offset, shape).reshape(n)
    except ValueError:
        raise PassError(
            f"{op.name!r} has {op.scale.size} scale entries but its layer has output shape "
            f"{tuple(shape)}; batch-norm must act on the channel (last) axis"
        ) from None
    return scale.astype(np.float64), offset.astype(np.float64)
