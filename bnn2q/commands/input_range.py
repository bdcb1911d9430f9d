"""A warning when a dataset's scaling does not match what the model was trained on.

bnn2q's datasets come scaled to [-1, 1] (SPEC §6: digits value/8 - 1, images value/127.5 - 1). A
model trained on [0, 1] reads them wrongly but still runs — e.g. a digits model at 40% instead
of 68% — so the classical network is scored on the first samples both as given and rescaled to
[0, 1]; when the rescaled inputs do clearly better (a paired comparison, the same samples), one
line says so and how to fix the model."""

from __future__ import annotations

import logging

import numpy as np

#: Samples compared (the classical network at τ = 0: milliseconds for small networks).
SAMPLES = 500
#: Disagreements favouring [0, 1], in standard errors of the paired (McNemar) difference.
SIGNIFICANCE = 3.0
#: ... and at least this much accuracy.
MIN_GAIN = 0.10

log = logging.getLogger("bnn2q")


def check_input_range(net, x, y, dataset: str) -> str | None:
    """The warning (also logged) when ``net`` scores clearly better on ``x`` mapped from [-1, 1]
    to [0, 1] than on ``x`` itself; None otherwise."""
    from ..api import simulate

    x, y = np.asarray(x)[:SAMPLES], np.asarray(y)[:SAMPLES]
    if len(y) < 20 or float(np.min(x)) >= 0.0:  # too few to tell, or not bnn2q's [-1, 1] scaling
        return None
    given = simulate(net, x, shots=1).predictions == y
    shifted = simulate(net, (x + 1.0) / 2.0, shots=1).predictions == y
    better, worse = int(np.sum(shifted & ~given)), int(np.sum(given & ~shifted))
    if better - worse < MIN_GAIN * len(y) or better - worse < SIGNIFICANCE * np.sqrt(better + worse):
        return None
    message = (f"bnn2q: warning: the model scores {given.mean():.0%} on {dataset} as bnn2q scales it "
               f"([-1, 1], SPEC §6) but {shifted.mean():.0%} on the same {len(y)} samples mapped to [0, 1]: it was "
               "probably trained on [0, 1] inputs; put a Rescaling(0.5, offset=0.5) layer in front of it (bnn2q "
               "folds it) or train it on [-1, 1]")
    log.warning(message)
    return message
