"""SplitMix64's constants (Steele, Lea & Flood 2014; Stafford's Mix13 finaliser), shared by the
NumPy and numba fillers of the position-addressed random words (``words``, ``packed.words``)."""

import numpy as np

from .thresholds import WORD_BITS

#: The golden-ratio increment between consecutive counters.
GAMMA = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
#: A word's bits: the simulator compares 24-bit words against thresholds.
MASK = np.uint64((1 << WORD_BITS) - 1)
