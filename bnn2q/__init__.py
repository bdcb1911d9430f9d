"""bnn2q: compile trained binarized neural networks to quantum circuits.

Every hidden neuron is a qubit rotated by an angle that depends on the weights and on the
measured bits of the previous layer (rotation activation), optionally read out by a weak
measurement through an ancilla (ancilla activation). See SPEC §2 in the docs.
"""

import os as _os
import sys as _sys

if "tensorflow" in _sys.modules and _os.environ.get("TF_USE_LEGACY_KERAS", "").lower() not in ("1", "true"):
    # Too late to fix: TensorFlow fixed its Keras (3) at import, and Larq cannot load over it.
    import logging as _logging

    _logging.getLogger("bnn2q").warning(
        "bnn2q: TensorFlow was imported before bnn2q without TF_USE_LEGACY_KERAS=1, so Larq (Keras) "
        "models cannot be read in this process (ONNX models can): import bnn2q before tensorflow")
# Larq needs Keras 2 (tf-keras); this must be set before TensorFlow is first imported.
_os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from .api import load, simulate  # noqa: E402
from .errors import Bnn2qError, FrontendError, InputError, PassError, TargetError  # noqa: E402
from .sim import SimResult  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "load",
    "simulate",
    "SimResult",
    "Bnn2qError",
    "FrontendError",
    "InputError",
    "PassError",
    "TargetError",
]


def __getattr__(name):
    # The compiler and runners pull in Qiskit/Braket; import them only when asked for.
    if name in ("compile", "run"):
        from . import targets

        return getattr(targets, name)
    raise AttributeError(f"module 'bnn2q' has no attribute {name!r}")
