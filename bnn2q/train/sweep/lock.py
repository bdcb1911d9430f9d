"""One sweep per output folder: an exclusive ``flock`` on ``DIR/.sweep.lock`` for the whole run.

A second sweep into a folder in use refuses at once with one line naming the holder, rather than
waiting: two identical sweeps would only train every cell twice, and a queued one would find
nothing left to do. The kernel drops the lock when its holder dies (SIGKILL included), so a
stale lock file never blocks the next run; the holder removes the file when it finishes."""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

from ...errors import InputError

LOCK_NAME = ".sweep.lock"


class OutputLock:
    """Hold ``out_dir``'s sweep lock while the ``with`` block runs."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / LOCK_NAME
        self._fd = None

    def __enter__(self):
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
                os.close(fd)
                raise InputError(
                    f"output directory {str(self.path.parent)!r} is in use by another bnn2q sweep "
                    f"({holder}); wait for it to finish or pick another -o"
                ) from None
            # The previous holder may have unlinked the file between our open and our flock:
            # then we locked a file nobody else will ever see, so start over on the new one.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc):
        # Unlink while still holding the lock, so no one can lock this inode after us unseen.
        self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None
        return False
