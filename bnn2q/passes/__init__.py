"""Compiler passes, one per file. ``canonicalize`` turns a frontend Graph into a Network."""

from .base import Pass
from .build_layers import BuildLayers
from .fold_batchnorm import FoldBatchNorm
from .fuse_affine import FuseAffine
from .manager import PassManager

CANONICALIZE = (FoldBatchNorm(), FuseAffine(), BuildLayers())


def canonicalize(graph):
    """Fold batch-norm, fuse affines, group into layers: Graph → Network (idempotent)."""
    from ..ir import Network

    if isinstance(graph, Network):
        return graph
    return PassManager(CANONICALIZE).run(graph)


__all__ = ["Pass", "PassManager", "FoldBatchNorm", "FuseAffine", "BuildLayers", "canonicalize"]
