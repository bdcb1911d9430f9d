"""Resumable evaluations: each finished job's bits on disk, so a run that stops part-way (a
failed job, an interrupt) starts again where it stopped and recomputes nothing.

A checkpoint directory holds ``run.json`` (a digest of what determines the run: the network,
the samples, shots, seed, activation and device), ``circuits.qpy`` (the circuits the first
attempt ran — a resumed run reuses them, so a device recalibrated in between still runs the
same circuits) and one ``<job>.npy`` per finished job. Every file is written whole or not at
all."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np

from ...atomic import atomic_path, write_text_atomically
from ...errors import InputError

CIRCUITS = "circuits.qpy"


class Checkpoint:
    """The directory ``path`` for the run whose digest is ``digest``."""

    def __init__(self, path, digest: str):
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise InputError(f"checkpoint {str(self.path)!r} is a file; give a directory")
        self.path.mkdir(parents=True, exist_ok=True)
        meta = self.path / "run.json"
        if meta.exists():
            found = json.loads(meta.read_text()).get("digest")
            if found != digest:
                raise InputError(f"checkpoint {str(self.path)!r} belongs to another run (other model, samples, "
                                 "shots, seed, activation or device); give a new directory to start afresh")
        else:
            write_text_atomically(meta, json.dumps({"digest": digest}) + "\n")

    def get(self, key: str) -> np.ndarray | None:
        f = self.path / f"{key}.npy"
        return np.load(f) if f.exists() else None

    def put(self, key: str, bits: np.ndarray) -> None:
        with atomic_path(self.path / f"{key}.npy", suffix=".npy") as tmp:
            with open(tmp, "wb") as out:
                np.save(out, bits)
                out.flush()
                os.fsync(out.fileno())

    def circuits(self, fresh: tuple) -> tuple:
        """The circuits of the first attempt (stored now if this is it)."""
        from qiskit import qpy

        f = self.path / CIRCUITS
        if f.exists():
            with open(f, "rb") as src:
                stored = tuple(qpy.load(src))
            if len(stored) != len(fresh) or any(a.num_clbits != b.num_clbits for a, b in zip(stored, fresh)):
                raise InputError(f"checkpoint {str(self.path)!r} holds circuits of another program")
            return stored
        buf = io.BytesIO()
        qpy.dump(list(fresh), buf)
        with atomic_path(f, suffix=".qpy") as tmp:
            tmp.write_bytes(buf.getvalue())
        return fresh


def digest(*parts) -> str:
    """SHA-256 over arrays (their bytes, shape and dtype), networks (every op's fields) and reprs."""
    h = hashlib.sha256()
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


def _feed(h, obj) -> None:
    if isinstance(obj, np.ndarray):
        h.update(repr((obj.shape, obj.dtype.str)).encode())
        h.update(np.ascontiguousarray(obj).tobytes())
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        h.update(type(obj).__name__.encode())
        for f in dataclasses.fields(obj):
            _feed(h, getattr(obj, f.name))
    elif isinstance(obj, (list, tuple)):
        h.update(b"[")
        for item in obj:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(obj, dict):
        for key in sorted(obj, key=repr):
            _feed(h, key)
            _feed(h, obj[key])
    else:
        h.update(repr(obj).encode())
