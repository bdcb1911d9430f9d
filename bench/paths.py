"""Run ``bnn2q.simulate`` on a chosen path: the bit-packed kernels or the NumPy path."""

from __future__ import annotations

import bnn2q
from bnn2q.sim import packed

PATHS = {"packed": "always", "numpy": "never"}


def simulate(path: str, net, x, **kwargs):
    """``bnn2q.simulate`` with the packed path forced on ("packed") or off ("numpy")."""
    saved = packed.MODE
    packed.MODE = PATHS[path]
    try:
        return bnn2q.simulate(net, x, **kwargs)
    finally:
        packed.MODE = saved
