"""The sweep's CSV: one row per finished cell, appended in place.

Each append is one ``write`` on an ``O_APPEND`` descriptor under an exclusive ``flock`` of the CSV,
then ``fsync``: concurrent writers (two processes, or a driver and a tool) interleave whole rows
and lose none. Only the last line can be torn — by a crash of the machine mid-write — and it has
no newline: readers skip it and the next append cuts it off, so its cell simply reruns."""

from __future__ import annotations

import csv
import fcntl
import io
import os
from pathlib import Path

from ...errors import InputError
from .cell import CELL_FIELDS

RESULT_FIELDS = ("val_error", "val_vote_error", "val_shot_error", "train_loss", "train_seconds",
                 "eval_seconds")
#: The readouts a row records: (column, what it is).
READOUTS = (("val_error", "shot-averaged logits"), ("val_vote_error", "majority vote"),
            ("val_shot_error", "single shot"))
COLUMNS = CELL_FIELDS + RESULT_FIELDS


def read_rows(path: Path) -> list[dict]:
    """The whole rows recorded so far (none if the file does not exist yet)."""
    path = Path(path)
    if not path.exists():
        return []
    text = path.read_bytes().decode("utf-8", errors="replace")
    text = text[: text.rfind("\n") + 1]  # a torn last line is not a row
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if text and tuple(reader.fieldnames or ()) != COLUMNS:
        raise InputError(
            f"{str(path)!r} is not a bnn2q sweep CSV of this version (columns differ); "
            "move it away or pick another output directory"
        )
    return list(reader)


def row_key(row: dict) -> tuple:
    return tuple(row[c] for c in CELL_FIELDS)


def _encode(row: dict, header: bool) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerow({c: row[c] for c in COLUMNS})
    return buf.getvalue().encode("utf-8")


def append_row(path: Path, row: dict) -> None:
    """Append one row (and the header first, if the file is new) durably."""
    path = Path(path)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            size = _cut_torn_tail(fd, size)
        data = _encode(row, header=size == 0)
        while data:  # a regular file takes it whole, short of a full disk
            data = data[os.write(fd, data):]
        os.fsync(fd)
        if size == 0:  # a new file: make its directory entry durable too
            _fsync_dir(path.parent)
    finally:
        os.close(fd)  # also releases the flock


def _cut_torn_tail(fd: int, size: int) -> int:
    """Truncate after the last newline (the torn row's cell reruns); returns the new size."""
    start = max(0, size - (1 << 16))
    tail = os.pread(fd, size - start, start)
    if b"\n" not in tail and start > 0:  # never: rows are far shorter; read it all to be sure
        start, tail = 0, os.pread(fd, size, 0)
    keep = start + tail.rfind(b"\n") + 1
    os.ftruncate(fd, keep)
    return keep


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
