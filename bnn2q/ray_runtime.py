"""Ray for sweeps and large evaluations: start or join a runtime, and ship input files.

Addresses (``--ray ADDRESS``):

- ``local``: start a private runtime on this machine with ``num_cpus`` CPUs; it stops when the
  work is done (or this process exits);
- ``auto``: join the cluster this machine already belongs to — ``RAY_ADDRESS`` if set, else the
  last one started here with ``ray start``; it fails (one line) when there is none;
- ``HOST:PORT`` (a head node's GCS address) or ``ray://HOST:10001`` (Ray Client): join that one.

Workers on other machines need bnn2q installed (the same requirements.lock) but not our files: a
model file or an ``.npz`` dataset named by path is read here, put in Ray's object store once, and
written to a temporary file on each node that runs a task needing it (:func:`ship`,
:func:`materialize`). Only results travel back; the driver keeps every output file."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError


def import_ray():
    try:
        import ray
    except ImportError:
        raise InputError(
            "--ray needs Ray, which requirements.lock installs: run 'make .venv/.installed' (or "
            "pip install 'bnn2q[ray]'), or run without --ray"
        ) from None
    return ray


def check_address(address: str) -> None:
    """Refuse an obviously malformed address before anything starts."""
    if not address or any(c.isspace() for c in address):
        raise InputError(f"--ray {address!r}: give 'local', 'auto', HOST:PORT or ray://HOST:PORT")


@contextlib.contextmanager
def session(address: str, num_cpus: int | None = None):
    """Yield the ``ray`` module connected as ``address`` says (see the module docstring).

    A runtime this process is already connected to (``ray.init`` called by the caller) is used
    as it is and left running; one this call started or joined is shut down (``local``) or left
    (a cluster) when the block ends."""
    check_address(address)
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    options = dict(log_to_driver=False, logging_level=logging.ERROR)
    if address == "local":
        options.update(address="local", num_cpus=num_cpus or os.cpu_count(), include_dashboard=False)
    else:
        options.update(address=_joined(address))
    try:
        init(ray, attempts=3 if address == "local" else 1, **options)
    except ConnectionError as exc:
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"--ray {address}: no Ray cluster answered ({why}); start one with 'ray start --head' "
            "and use --ray auto, or use --ray local to start a private one"
        ) from None
    try:
        yield ray
    finally:
        ray.shutdown()


def _joined(address: str) -> str:
    """The address ``auto`` means: RAY_ADDRESS, else the cluster the last ``ray start`` on this
    machine wrote down. Ray's own ``auto`` would also join any Ray process it finds running here
    (its legacy fallback), such as another user's private runtime."""
    if address != "auto":
        return address
    found = os.environ.get("RAY_ADDRESS") or None
    if found is None:
        from ray._private.utils import read_ray_address  # Ray's reader of 'ray start's address file

        found = read_ray_address()
    if found is None:
        raise InputError("--ray auto: no Ray cluster to join (RAY_ADDRESS is unset and no 'ray start' ran on "
                         "this machine); start one with 'ray start --head', or use --ray local to start a "
                         "private one")
    return found


def init(ray, attempts: int = 3, **options) -> None:
    """``ray.init``, retried when a new node fails to start in time: Ray 2.60's raylet gives its
    Python agents a fixed 15 s to report their ports, and aborts past that (a busy machine);
    one line if it never makes it."""
    for attempt in range(attempts):
        try:
            ray.init(**options)
            return
        except ConnectionError:
            raise
        except Exception as exc:
            if "timed out during startup" not in str(exc):
                raise
            ray.shutdown()
    raise InputError(f"Ray's runtime did not start in {attempts} tries (its agents missed the raylet's "
                     "15 s start-up window: is the machine busy?); retry, or start one with "
                     "'ray start --head' and use --ray auto")


@dataclass(frozen=True)
class ShippedFile:
    """A local file's bytes in Ray's object store, to be written out on whichever node needs it."""

    name: str
    digest: str
    ref: object  # ray.ObjectRef of the bytes


def ship(ray, path) -> ShippedFile:
    data = Path(path).read_bytes()
    return ShippedFile(Path(path).name, hashlib.sha256(data).hexdigest(), ray.put(data))


def materialize(shipped: ShippedFile) -> Path:
    """On a worker: the shipped file as a local path (written once per node, under its own name
    so loaders that go by suffix see the right one)."""
    import ray

    folder = Path(tempfile.gettempdir()) / f"bnn2q-shipped-{os.getuid()}" / shipped.digest
    target = folder / shipped.name
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
        with os.fdopen(fd, "wb") as f:
            f.write(ray.get(shipped.ref))
        os.replace(tmp, target)  # workers on one node may race here: either copy is the same
    return target
