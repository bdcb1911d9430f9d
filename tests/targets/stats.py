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


def _within(f, g, n_f, n_g) -> np.ndarray:
    pooled = (f * n_f + g * n_g) / (n_f + n_g)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_f + 1 / n_g))
    return np.abs(f - g) <= SIGMAS * se + 1e-9


def mismatches(bits: np.ndarray, reference: np.ndarray, layout) -> list[str]:
    """Per-bit frequencies and consecutive layers' joint frequencies P(m_i = 1, m_j = 1) of
    ``bits`` vs ``reference`` ([shots, n_bits] each); returns what disagrees (empty: same)."""
    bad = []
    f, g = bits.mean(axis=0), reference.mean(axis=0)
    ok = _within(f, g, len(bits), len(reference))
    if not ok.all():
        bad.append(f"bits m{np.flatnonzero(~ok).tolist()}")
    for (name_a, a0, a1), (name_b, b0, b1) in zip(layout, layout[1:]):
        joint = lambda m: (m[:, a0:a1, None].astype(float) * m[:, None, b0:b1]).mean(axis=0)  # noqa: E731
        ok = _within(joint(bits), joint(reference), len(bits), len(reference))
        if not ok.all():
            bad.append(f"{name_a}×{name_b} joint frequencies at {np.argwhere(~ok).tolist()}")
    return bad
