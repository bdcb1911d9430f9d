"""Outputs are written whole or not at all."""

from __future__ import annotations

import pytest

from bnn2q.atomic import atomic_path, write_text_atomically
from bnn2q.errors import InputError


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.qasm"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.qasm"]


def test_success_replaces(tmp_path):
    write_text_atomically(tmp_path / "a.txt", "new")
    assert (tmp_path / "a.txt").read_text() == "new"


def test_directories_are_refused_with_one_line(tmp_path):
    with pytest.raises(InputError, match="it is a directory; give a file name"):
        write_text_atomically(tmp_path, "x")
    with pytest.raises(InputError, match="directory .*missing.* does not exist; create it first"):
        write_text_atomically(tmp_path / "missing" / "a.txt", "x")
