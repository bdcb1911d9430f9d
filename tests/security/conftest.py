"""Helpers for the untrusted-input tests: the CLI run as a user runs it, and its one-line verdict."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bnn2q import cli


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """``bnn2q ARGV`` in this process: (exit code, stdout, stderr)."""
    code = cli.run([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_cli_process(*argv, env=None, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    """``bnn2q ARGV`` as a separate process (the installed console entry point)."""
    exe = os.path.join(os.path.dirname(sys.executable), "bnn2q")
    full_env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **(env or {}))
    full_env.pop("BNN2Q_DEBUG", None)
    return subprocess.run([exe, *map(str, argv)], capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=timeout)


def one_line_error(code: int, err: str, match: str | None = None) -> str:
    """Assert a refusal as users see it: non-zero exit, one line on stderr, no traceback."""
    import re

    lines = err.strip().splitlines()
    assert code != 0, err
    assert len(lines) == 1, err
    assert lines[0].startswith("bnn2q: error: "), err
    assert "Traceback" not in err and "internal error" not in err, err
    if match is not None:
        assert re.search(match, lines[0]), lines[0]
    return lines[0]


@pytest.fixture
def budget_1g(monkeypatch):
    """A 1 GiB memory budget for this test."""
    monkeypatch.setenv("BNN2Q_MEMORY", "1G")
