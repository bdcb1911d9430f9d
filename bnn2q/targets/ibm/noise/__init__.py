"""Device noise from IBM's calibrations (or a ``bnn2q-noise/1`` spec), for the built-in simulator
and for Aer: ``DeviceNoise`` (``device``) folds a device's noise model (``fold``) into each
neuron's ``bnn2q.noise.NeuronNoise`` on the qubits the ``ibm`` target places it on.

``load("fake_torino" | "spec.json")`` makes one; ``bnn2q.simulate(noise="fake_torino")`` calls it.
"""

from __future__ import annotations

import functools
import os

from .device import DeviceNoise


def load(source, max_qubits: int | None = None) -> DeviceNoise:
    """A ``DeviceNoise`` from a device name — ``fake_torino`` (qiskit-ibm-runtime's fake
    backends; ``ibm:`` may prefix it), or a real IBM device through a saved
    ``QiskitRuntimeService`` account — or from a ``bnn2q-noise/1`` JSON file."""
    source = os.fspath(source)
    if source.endswith(".json") or os.path.sep in source or os.path.exists(source):
        return DeviceNoise.from_spec(source, max_qubits)
    return _named(source, max_qubits)


@functools.lru_cache(maxsize=16)
def _named(name: str, max_qubits: int | None = None) -> DeviceNoise:
    """One DeviceNoise per device name and budget per process: the noise model takes seconds
    to build, and each keeps its folds."""
    if max_qubits is not None:
        return _named(name, None).with_budget(max_qubits)
    from ..devices import get_backend

    return DeviceNoise.from_backend(get_backend(name))


__all__ = ["DeviceNoise", "load"]
