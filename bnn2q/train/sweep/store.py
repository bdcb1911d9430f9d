"""The sweep's CSV: one row per finished cell, each append atomic (temporary file + os.replace),
so a crash or an interrupt leaves either the old file or the old file plus one whole row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ...errors import InputError
from ...atomic import write_text_atomically
from .cell import CELL_FIELDS

RESULT_FIELDS = ("val_error", "val_vote_error", "val_shot_error", "train_loss", "train_seconds",
                 "eval_seconds")
#: The readouts a row records: (column, what it is).
READOUTS = (("val_error", "shot-averaged logits"), ("val_vote_error", "majority vote"),
            ("val_shot_error", "single shot"))
COLUMNS = CELL_FIELDS + RESULT_FIELDS


def read_rows(path: Path) -> list[dict]:
    """The rows recorded so far (none if the file does not exist yet)."""
    if not path.exists():
        return []
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise InputError(
                f"{str(path)!r} is not a bnn2q sweep CSV of this version (columns differ); "
                "move it away or pick another output directory"
            )
        return list(reader)


def row_key(row: dict) -> tuple:
    return tuple(row[c] for c in CELL_FIELDS)


def append_row(path: Path, row: dict) -> None:
    """Append one row atomically: rewrite the whole file beside it, then os.replace."""
    old = path.read_text() if path.exists() else ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    if not old:
        writer.writeheader()
    writer.writerow({c: row[c] for c in COLUMNS})
    write_text_atomically(path, old + buf.getvalue())
