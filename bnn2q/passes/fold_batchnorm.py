"""FoldBatchNorm: turn every inference BatchNorm into the Affine it computes."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import PassError
from ..ir import Affine, BatchNorm, Graph
from .base import Pass


@dataclass(frozen=True)
class FoldBatchNorm(Pass):
    """γ (v − μ)/√(σ² + ε) + β  =  a v + c  with  a = γ/√(σ² + ε),  c = β − μ a.

    a may be negative (γ < 0): the neuron's threshold then flips, which downstream code
    handles through the sign of a. Non-finite statistics or σ² + ε ≤ 0 are rejected."""

    name = "fold-batchnorm"
    accepts = (Graph,)

    def run(self, graph: Graph) -> Graph:
        nodes = tuple(replace(n, op=_fold(n.op)) if isinstance(n.op, BatchNorm) else n for n in graph.nodes)
        return replace(graph, nodes=nodes)


def _fold(bn: BatchNorm) -> Affine:
    for field in ("gamma", "beta", "mean", "variance"):
        if not np.all(np.isfinite(getattr(bn, field))):
            raise PassError(
                f"batch-norm {bn.name!r}: {field} holds NaN or inf; retrain or fix the statistics"
            )
    denom = bn.variance + bn.epsilon
    if not np.isfinite(bn.epsilon) or np.any(denom <= 0):
        raise PassError(
            f"batch-norm {bn.name!r}: variance + epsilon <= 0 (zero variance with epsilon "
            f"{bn.epsilon:g}); set a positive epsilon"
        )
    a = bn.gamma / np.sqrt(denom)
    return Affine(bn.name, a, bn.beta - bn.mean * a)



