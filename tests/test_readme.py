"""A fresh clone, as a new user follows the README: `make demo`, then every command and snippet on
the page, in order, in a copy of the checkout in a fresh temporary directory.

How each block runs (README.md says the same under "This page is tested"): shell commands one by
one — a ``bnn2q …`` line through ``bnn2q.cli.run`` in this process (one TensorFlow import for
all; the console script is that plus its stderr filter), anything else in bash with
``.venv/bin`` on PATH, ``make`` told never to rebuild the environments; Python blocks in one
namespace, so a block's names are there for the next. Blocks marked ``skip`` are checked to
give a reason; ``needs PATH`` blocks run only where PATH exists."""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.readme_blocks import LANGUAGES, blocks, commands

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ENVIRONMENTS = (".venv", ".venv-helios")

pytestmark = pytest.mark.xdist_group("readme")


def test_every_block_is_runnable_or_says_why_not():
    found = blocks(README.read_text())
    assert len(found) > 10
    for block in found:
        where = f"README.md:{block.line}"
        assert block.lang in LANGUAGES, f"{where}: a ```{block.lang} block: use sh or python, or mark it skip"
        if block.skip is not None or block.needs is not None:
            assert len(block.reason) > 10, f"{where}: a skipped or conditional block says why"
        if block.needs is not None:
            assert not Path(block.needs).is_absolute() and ".." not in block.needs, where


def fresh_copy(dest: Path) -> Path:
    """The checkout's files (tracked and untracked, not ignored) copied to ``dest``; the
    environments linked, not copied."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode == 0:
        for name in filter(None, listed.stdout.split("\0")):
            source = ROOT / name
            if source.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / name)
    else:  # not a git checkout (an unpacked archive)
        shutil.copytree(ROOT, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
            ".git", "build", "__pycache__", ".pytest_cache", *ENVIRONMENTS))
    for env in ENVIRONMENTS:
        if (ROOT / env).exists():
            (dest / env).symlink_to(ROOT / env)
    return dest


def shell(command: str) -> list[str]:
    """The bash command line of a non-bnn2q command: ``make`` never rebuilds an environment."""
    argv = shlex.split(command, comments=True)
    if argv[0] == "make":
        argv[1:1] = [f"--old-file={env}/.installed" for env in ENVIRONMENTS]
    return ["bash", "-e", "-o", "pipefail", "-c", shlex.join(argv)]


def run_bnn2q(argv: list[str]) -> tuple[int, str]:
    from bnn2q import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.run(argv)
    return code, out.getvalue()


def test_fresh_clone_make_demo_then_every_readme_block_in_order(tmp_path, monkeypatch):
    clone = fresh_copy(tmp_path / "bnn2q")
    monkeypatch.chdir(clone)
    env = dict(os.environ, PATH=f"{clone / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}")
    namespace: dict = {"__name__": "__readme__"}
    timings, skipped = [], []
    for block in blocks((clone / "README.md").read_text()):
        where = f"README.md:{block.line}"
        if block.skip is not None or (block.needs is not None and not (ROOT / block.needs).exists()):
            skipped.append(f"{where} ({block.reason})")
            continue
        start = time.perf_counter()
        if block.lang == "python":
            exec(compile(block.code, where, "exec"), namespace)  # noqa: S102 - the page's own snippets
        else:
            for command in commands(block.code):
                argv = shlex.split(command, comments=True)
                if argv[0] == "bnn2q":
                    code, output = run_bnn2q(argv[1:])
                else:
                    proc = subprocess.run(shell(command), cwd=clone, env=env, capture_output=True, text=True,
                                          timeout=1200)
                    code, output = proc.returncode, proc.stdout + proc.stderr
                assert code == 0, f"{where}: `{command}` exited {code}:\n{output[-3000:]}"
        timings.append((time.perf_counter() - start, where))
    assert (clone / "build" / "digits_bnn.h5").exists(), "make demo trains the model the page uses"
    print("\n".join(f"{seconds:7.1f} s  {where}" for seconds, where in sorted(timings, reverse=True)))
    print("not run:\n  " + "\n  ".join(skipped))


def test_the_page_says_how_it_is_tested():
    text = README.read_text()
    assert "tests/test_readme.py" in text and "readme-test: skip" in text
