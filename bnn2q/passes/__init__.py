"""Compiler passes, one per file. ``canonicalize`` turns a frontend Graph into a Network."""

from .base import Pass
from .build_network import BuildNetwork
from .cancel_terms import CancelTerms
from .drop_redundant_signs import DropRedundantSigns
from .fold_batchnorm import FoldBatchNorm
from .fuse_affine import FuseAffine
from .manager import PassManager

CANONICALIZE = (FoldBatchNorm(), CancelTerms(), FuseAffine(), DropRedundantSigns(), BuildNetwork())


def canonicalize(graph):
    """Fold batch-norm, cancel opposite terms (straight-through estimators), fuse affines, drop
    repeated signs, place the steps: Graph → Network
    (a Network passes through unchanged)."""
    from ..ir import Network

    if isinstance(graph, Network):
        return graph
    return PassManager(CANONICALIZE).run(graph)


__all__ = ["Pass", "PassManager", "FoldBatchNorm", "CancelTerms", "FuseAffine", "DropRedundantSigns",
           "BuildNetwork", "canonicalize"]
