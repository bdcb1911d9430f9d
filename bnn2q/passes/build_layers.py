"""BuildLayers: group a canonical op graph into the neuron-level Network.

Accepted shape (after FoldBatchNorm and FuseAffine), per layer:
    linear (Dense | Conv2D) [MaxPool2D] [Affine] [MaxPool2D] Sign [MaxPool2D]
for hidden layers, and ``linear [Affine]`` for the final logits layer. An optional leading Sign
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
            pool = None
            scale = np.ones(int(np.prod(shape)))
            offset = np.zeros(int(np.prod(shape)))
            if i < len(ops) and isinstance(ops[i], MaxPool2D):
                pool, shape, i = _pool(ops[i], shape), ops[i].out_shape, i + 1
            if i < len(ops) and isinstance(ops[i], Affine):
                scale, offset = _broadcast(ops[i], shape)
                i += 1
                if i < len(ops) and isinstance(ops[i], MaxPool2D):
                    if pool is not None or np.any(scale <= 0):
                        raise PassError(
                            f"max-pool {ops[i].name!r} after a batch-norm with a negative or zero "
                            "scale (or after a second pool) cannot be moved before it; pool "
                            "before the batch-norm (Larq's conv → pool → BN order)"
                        )
                    # Max commutes with a positive per-channel affine.
                    pool, new_shape = _pool(ops[i], shape), ops[i].out_shape
                    scale, offset = scale[pool[:, 0]], offset[pool[:, 0]]
                    shape, i = new_shape, i + 1
            hidden = i < len(ops) and isinstance(ops[i], Sign)
            or_pool = None
            if hidden:
                i += 1
                if i < len(ops) and isinstance(ops[i], MaxPool2D):
                    or_pool, shape, i = _pool(ops[i], shape), ops[i].out_shape, i + 1
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
