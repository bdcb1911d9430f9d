"""Import TensorFlow the way Larq needs it (through tf-keras: TF_USE_LEGACY_KERAS=1), quietly.

TensorFlow's C++ core writes start-up chatter straight to file descriptor 2 (absl's "log
messages before InitializeLog", "Could not find cuda drivers", "failed call to cuInit") that no
environment variable fully silences; bnn2q's API owes its users the same clean output as the
CLI, so the first import and device discovery run with native stderr pointed at /dev/null —
unless the user asked for TensorFlow's logs (TF_CPP_MIN_LOG_LEVEL below 2) or BNN2Q_DEBUG is set.
A terminal shows one transient line while the import runs (it takes seconds)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys

from ..errors import FrontendError

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
#: Whether the user chose TensorFlow's log level; bnn2q then leaves its logs alone.
USER_LOG_LEVEL = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


KERAS3 = ("Larq needs tf-keras, but TensorFlow was imported before bnn2q without TF_USE_LEGACY_KERAS=1 "
          "and chose Keras 3: import bnn2q first (or set TF_USE_LEGACY_KERAS=1 in the environment)")


def import_tf():
    """Return (tensorflow, tf.keras, larq), checking that tf.keras is tf-keras (Keras 2)."""
    if "tensorflow" not in sys.modules:
        with _status("loading TensorFlow"), muted_native_stderr():
            import tensorflow as tf

            tf.config.list_physical_devices()  # CUDA discovery logs here ("failed call to cuInit")
    import tensorflow as tf

    keras = tf.keras
    if not keras.Model.__module__.startswith("tf_keras"):
        raise FrontendError(KERAS3)
    try:
        import larq
    except AttributeError:  # Larq over Keras 3: "... has no attribute 'LocallyConnected1D'"
        raise FrontendError(KERAS3) from None

    return tf, keras, larq


def wants_native_logs() -> bool:
    """Whether the user asked to see TensorFlow's native logs."""
    if os.environ.get("BNN2Q_DEBUG"):
        return True
    try:
        return USER_LOG_LEVEL is not None and int(USER_LOG_LEVEL) < 2
    except ValueError:
        return False


@contextlib.contextmanager
def muted_native_stderr():
    """File descriptor 2 to /dev/null for the block (Python's own output to it goes too; an
    exception raised inside still reaches the caller). Left alone when the user wants the logs."""
    if wants_native_logs():
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2 (embedded interpreters): nothing to mute
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def quiet_larq():
    """Larq's advice to models being trained ("Using a binary weight quantizer without setting
    `kernel_constraint`…") logged while bnn2q only reads a model: dropped for the block."""
    logger = logging.getLogger("larq")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _status(text: str):
    """One transient line on a terminal's stderr while a slow step runs; nothing otherwise."""
    stream = sys.stderr
    shown = bool(getattr(stream, "isatty", lambda: False)())
    if shown:
        stream.write(f"{text} …")
        stream.flush()
    try:
        yield
    finally:
        if shown:
            stream.write("\r\033[K")
            stream.flush()
