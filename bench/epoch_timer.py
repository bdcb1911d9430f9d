"""A Keras callback that records how long each training epoch takes."""

from __future__ import annotations

import statistics
import time


def epoch_timer():
    """A fresh callback with ``.seconds`` (per epoch) and ``.steady()``."""
    from bnn2q.frontends.tf_env import import_tf

    _, keras, _ = import_tf()

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

        def steady(self) -> float:
            """Median epoch time, leaving out the first (graph tracing) when there are more."""
            later = self.seconds[1:] or self.seconds
            return statistics.median(later)

    return EpochTimer()
