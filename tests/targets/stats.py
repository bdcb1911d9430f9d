"""Per-neuron frequency comparison with a tolerance from the binomial standard error."""

from __future__ import annotations

import numpy as np

#: Standard errors allowed; with fixed seeds a pass is reproducible, and a real bug
#: (a probability off by a few percent) shows up as tens of standard errors.
SIGMAS = 4.5


def assert_same_frequencies(bits: np.ndarray, reference: np.ndarray, what: str = "") -> None:
    """bits [shots, n] from a backend vs reference bits [shots', n] (e.g. bnn2q.simulate)."""
    f, g = bits.mean(axis=0), reference.mean(axis=0)
    pooled = (f * len(bits) + g * len(reference)) / (len(bits) + len(reference))
    se = np.sqrt(pooled * (1 - pooled) * (1 / len(bits) + 1 / len(reference)))
    tolerance = SIGMAS * se + 1e-9
    bad = np.flatnonzero(np.abs(f - g) > tolerance)
    assert bad.size == 0, (
        f"{what}: m{bad.tolist()} frequencies {f[bad].round(4).tolist()} vs reference "
        f"{g[bad].round(4).tolist()} (tolerance {tolerance[bad].round(4).tolist()})"
    )
