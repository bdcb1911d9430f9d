"""Files written whole or not at all: a temporary file beside the target, renamed into place.

The rules for an output path (docs/semantics.md, "What bnn2q trusts"):

- a new path or an existing regular file is written; anything else is refused in one line —
  a directory, a device, a FIFO, a socket — since renaming over it would replace it;
- a symbolic link to a regular file is written through: its target gets the new content and
  the link stays; a link to anything else (a device, a missing file, a descriptor such as
  ``/proc/self/fd/1`` whatever it is open on) is refused;
- an existing file keeps its permission bits (and, for root, its owner); a new one gets
  0666 less the umask (0644 under umask 022), as other tools' outputs do;
- the temporary file is named ``.NAME.bnn2q-HOST-PID-TOKEN[suffix]``; a process killed
  mid-write leaves it behind, and the next write of the same target on that host removes the
  ones whose process is gone;
- a place that cannot take the file (a missing or read-only folder, ``/proc``) is one line.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import stat
from pathlib import Path

from .errors import InputError

#: What the refused kinds of file are called in messages.
KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
         (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


@contextlib.contextmanager
def atomic_path(path, suffix: str = ".tmp"):
    """Yield a temporary path beside ``path`` (or beside the regular file a link names); on
    success give it the mode the rules above say and rename it over the target.

    On any failure the temporary file is removed and the target is left as it was, so a crash
    or a bad request never leaves a partial output. ``suffix`` lets writers that pick their
    format from the name (Keras' ``.h5``/``.keras``) see the right one."""
    path = Path(path)
    target, old = _target(path)
    parent = target.parent
    _remove_stale(parent, target.name)
    tmp = parent / f".{target.name}.bnn2q-{_host()}-{os.getpid()}-{secrets.token_hex(4)}{suffix}"
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise _unwritable(path, f"cannot create a file in {str(parent)!r} ({exc.strerror}); choose a folder you "
                                "can write to") from None
    try:
        yield tmp
        os.chmod(tmp, stat.S_IMODE(old.st_mode) if old else 0o666 & ~_umask())
        if old is not None and os.geteuid() == 0:
            with contextlib.suppress(OSError):
                os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, target)
        _sync_dir(parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_writable(path) -> None:
    """Refuse now, in one line, a path ``atomic_path`` would refuse later (for a command that
    works long before it writes): the rules above, and a probe file created and removed."""
    try:
        with atomic_path(path):
            raise _Probe
    except _Probe:
        pass


class _Probe(Exception):
    """Leaves ``atomic_path`` without replacing the target."""


def write_text_atomically(path, text: str) -> None:
    """Write ``text`` to ``path`` whole, UTF-8, newlines as given."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path, data: bytes, suffix: str = ".tmp") -> None:
    """Write ``data`` to ``path`` whole (flushed to disk before the rename)."""
    with atomic_path(path, suffix) as tmp:
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:  # a full disk, a quota, an I/O error
            raise _unwritable(path, exc.strerror or str(exc)) from None


# --------------------------------------------------------------------------- the rules


def _target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file to replace and its status (None: a new file), or an InputError."""
    try:
        here = os.lstat(path)
    except FileNotFoundError:
        here = None
    except OSError as exc:
        raise _unwritable(path, exc.strerror or str(exc)) from None
    if here is not None and stat.S_ISLNK(here.st_mode):
        if _names_a_descriptor(path):
            raise _unwritable(path, "it is a link to an open file descriptor (/proc/…/fd), not a file name; "
                                    "give a regular file or a new name")
        try:
            pointed = os.stat(path)
        except OSError:
            raise _unwritable(path, "it is a link to a missing file; give a regular file or a new name") from None
        if not stat.S_ISREG(pointed.st_mode):
            raise _unwritable(path, f"it is a link to {_kind(pointed)}, not to a regular file; give a file name")
        return Path(os.path.realpath(path)), pointed
    if here is not None and not stat.S_ISREG(here.st_mode):
        if stat.S_ISDIR(here.st_mode):
            raise _unwritable(path, "it is a directory; give a file name")
        raise _unwritable(path, f"it is {_kind(here)}, not a regular file; give a regular file or a new name")
    parent = path.parent
    if not parent.is_dir():
        raise _unwritable(path, f"directory {str(parent)!r} does not exist; create it first")
    return path, here


def _names_a_descriptor(path: Path) -> bool:
    """Whether following the link reaches ``/proc`` (``/proc/self/fd/1`` is stdout, whatever
    file, pipe or terminal that is: renaming over it would not write to it)."""
    p = os.path.abspath(path)
    for _ in range(40):
        if p == "/proc" or p.startswith("/proc/"):
            return True
        if not os.path.islink(p):
            return False
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return False


def _kind(st: os.stat_result) -> str:
    return next((name for test, name in KINDS if test(st.st_mode)), "not a regular file")


def _unwritable(path: Path, why: str) -> InputError:
    return InputError(f"cannot write {str(path)!r}: {why}")


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` would, for every thread)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"


def _remove_stale(parent: Path, name: str) -> None:
    """Remove the temporary files of ``name`` that processes on this host left when killed."""
    pattern = re.compile(rf"\.{re.escape(name)}\.bnn2q-(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)-[0-9a-f]+")
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        found = pattern.match(entry.name)
        if found is None or found["host"] != _host() or _alive(int(found["pid"])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _sync_dir(parent: Path) -> None:
    """Make the rename itself durable."""
    with contextlib.suppress(OSError):
        fd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
