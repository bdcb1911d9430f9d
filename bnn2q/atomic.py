"""Files written whole or not at all: a temporary file beside the target, renamed into place."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import InputError


@contextlib.contextmanager
def atomic_path(path, suffix: str = ".tmp"):
    """Yield a temporary path in ``path``'s directory; on success rename it over ``path``.

    On any failure the temporary file is removed and ``path`` is left as it was, so a crash
    or a bad request never leaves a partial output. ``suffix`` lets writers that pick their
    format from the name (Keras' ``.h5``/``.keras``) see the right one."""
    path = Path(path)
    parent = path.parent
    if path.is_dir():
        raise InputError(f"cannot write {str(path)!r}: it is a directory; give a file name")
    if not parent.is_dir():
        raise InputError(f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomically(path, text: str) -> None:
    """Write ``text`` to ``path`` whole, UTF-8, newlines as given."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path, data: bytes, suffix: str = ".tmp") -> None:
    """Write ``data`` to ``path`` whole (flushed to disk before the rename)."""
    with atomic_path(path, suffix) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
