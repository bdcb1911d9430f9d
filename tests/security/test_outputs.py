"""Output files: written whole through a temporary file renamed onto a regular file or a new
path; devices, FIFOs, sockets, directories and links to anything but a regular file are refused
in one line and left as they were; modes follow the umask or the file replaced; a killed
writer's temporary file is removed by the next write."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys

import pytest

from bnn2q.atomic import atomic_path, check_writable, write_text_atomically
from bnn2q.errors import InputError

from .conftest import one_line_error, run_cli

pytestmark = pytest.mark.xdist_group("larq-models")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _char_device(path):
    if os.geteuid() != 0:
        pytest.skip("making a character device needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # /dev/full's numbers
    return path


def _socket(path):
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    return s


@pytest.mark.parametrize("kind, why", [
    ("device", r"it is a character device, not a regular file"),
    ("fifo", r"it is a FIFO \(named pipe\), not a regular file"),
    ("socket", r"it is a socket, not a regular file"),
    ("directory", r"it is a directory; give a file name"),
    ("link to stdout", r"it is a link to an open file descriptor \(/proc/…/fd\), not a file name"),
    ("link to a fifo", r"it is a link to a FIFO \(named pipe\), not to a regular file"),
    ("dangling link", r"it is a link to a missing file"),
])
def test_compile_never_replaces_what_is_not_a_regular_file(digits_model_path, tmp_path, capsys, kind, why):
    path = tmp_path / "out.qasm"
    keep = None
    if kind == "device":
        _char_device(path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        keep = _socket(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "link to stdout":
        os.symlink("/proc/self/fd/1", path)
    elif kind == "link to a fifo":
        os.mkfifo(tmp_path / "fifo")
        os.symlink(tmp_path / "fifo", path)
    else:
        os.symlink(tmp_path / "nowhere", path)
    before = os.lstat(path)
    code, _, err = run_cli(capsys, "compile", digits_model_path, "-o", path)
    one_line_error(code, err, rf"cannot write '.*out\.qasm': {why}")
    after = os.lstat(path)
    assert (stat.S_IFMT(after.st_mode), after.st_ino, after.st_rdev) == \
           (stat.S_IFMT(before.st_mode), before.st_ino, before.st_rdev)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"out.qasm", *(["fifo"] if kind == "link to a fifo" else [])})
    if keep is not None:
        keep.close()


def test_a_link_to_a_regular_file_is_written_through(tmp_path, umask_022):
    (tmp_path / "real.qasm").write_text("old")
    os.chmod(tmp_path / "real.qasm", 0o640)
    os.symlink("real.qasm", tmp_path / "link.qasm")
    write_text_atomically(tmp_path / "link.qasm", "new")
    assert os.path.islink(tmp_path / "link.qasm") and os.readlink(tmp_path / "link.qasm") == "real.qasm"
    assert (tmp_path / "real.qasm").read_text() == "new"
    assert stat.S_IMODE(os.stat(tmp_path / "real.qasm").st_mode) == 0o640


@pytest.mark.parametrize("where, why", [
    ("/proc/x.qasm", r"cannot create a file in '/proc' \(.*\); choose a folder you can write to"),
    ("{tmp}/missing/x.qasm", r"directory '.*missing' does not exist; create it first"),
])
def test_unwritable_places_are_one_line(digits_model_path, tmp_path, capsys, where, why):
    code, _, err = run_cli(capsys, "compile", digits_model_path, "-o", where.replace("{tmp}", str(tmp_path)))
    one_line_error(code, err, why)


def test_a_read_only_folder_is_one_line(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    with pytest.raises(InputError, match=r"cannot create a file in .*ro' \(Permission denied\)"):
        write_text_atomically(folder / "x.qasm", "x")


def test_modes_follow_the_umask_and_the_file_replaced(digits_model_path, tmp_path, capsys, umask_022):
    code, _, err = run_cli(capsys, "compile", digits_model_path, "-o", tmp_path / "new.qasm")
    assert code == 0, err
    assert stat.S_IMODE(os.stat(tmp_path / "new.qasm").st_mode) == 0o644
    os.chmod(tmp_path / "new.qasm", 0o600)
    write_text_atomically(tmp_path / "new.qasm", "again")
    assert stat.S_IMODE(os.stat(tmp_path / "new.qasm").st_mode) == 0o600
    os.umask(0o077)
    write_text_atomically(tmp_path / "private.txt", "x")
    assert stat.S_IMODE(os.stat(tmp_path / "private.txt").st_mode) == 0o600


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "out.qasm"
    code = ("import os, signal, sys\n"
            "from bnn2q.atomic import atomic_path\n"
            "with atomic_path(sys.argv[1]) as tmp:\n"
            "    tmp.write_text('half')\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(target)], timeout=120)
    assert proc.returncode == -9
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".out.qasm.bnn2q-"), left
    with atomic_path(target) as mine:  # a live writer's temporary is not touched
        write_text_atomically(target, "whole")
        assert mine.exists()
        mine.write_text("mine")
    assert [p.name for p in tmp_path.iterdir()] == ["out.qasm"]
    assert target.read_text() == "mine"


def test_finetune_checks_its_output_before_training(digits_model_path, tmp_path, capsys):
    os.mkfifo(tmp_path / "tuned.h5")
    code, out, err = run_cli(capsys, "finetune", digits_model_path, "--dataset", "digits", "-o", tmp_path / "tuned.h5")
    one_line_error(code, err, r"it is a FIFO \(named pipe\)")
    assert "fine-tuning" not in out
    with pytest.raises(InputError, match="it is a FIFO"):
        check_writable(tmp_path / "tuned.h5")
