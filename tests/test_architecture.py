"""The package's layering (pyproject.toml's import-linter contracts) and its vendor folders.

The contracts are checked on the import graph grimp builds from the source — imports inside
functions included — so a deferred import that climbs from a lower layer to a higher one, or
closes a circle between two modules, fails here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path, config: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(package_parent))
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache"], cwd=package_parent, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """A copy of the package and its contracts, to break on purpose."""
    folder = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "bnn2q", folder / "bnn2q", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


def test_the_package_keeps_its_contracts():
    proc = lint(ROOT, ROOT / "pyproject.toml")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize("module, line, broken", [
    # a deferred import from the simulator up to the compiler (a lower layer reaching up)
    ("sim/result.py", "def _up():\n    from ..targets import compile  # noqa\n",
     "The pipeline's layers"),
    # the shared target core reaching into a vendor's folder
    ("targets/capabilities.py", "def _up():\n    from .ibm import devices  # noqa\n",
     "Inside targets"),
    # two passes importing each other
    ("passes/fold_batchnorm.py", "def _circle():\n    from . import fuse_affine  # noqa\n",
     "No import circles"),
])
def test_a_violation_breaks_a_contract(copy, module, line, broken):
    path = copy / "bnn2q" / module
    original = path.read_text()
    if module.startswith("passes/"):  # make it a circle: fuse_affine imports fold_batchnorm back
        other = copy / "bnn2q" / "passes" / "fuse_affine.py"
        other_original = other.read_text()
        other.write_text(other_original + "\n\ndef _back():\n    from . import fold_batchnorm  # noqa\n")
    try:
        path.write_text(original + "\n\n" + line)
        proc = lint(copy, copy / "pyproject.toml")
    finally:
        path.write_text(original)
        if module.startswith("passes/"):
            other.write_text(other_original)
    assert proc.returncode != 0
    assert f"{broken}" in proc.stdout and "BROKEN" in proc.stdout


def test_each_vendor_has_its_folder_and_one_target():
    from bnn2q.targets.registry import TARGETS, get_target
    from bnn2q.targets.target import Target

    for name in TARGETS:
        target = get_target(name)
        assert isinstance(target, Target) and target.name == name
        assert (ROOT / "bnn2q" / "targets" / name / "target.py").is_file()


#: Small files with one job: a module past this many lines has grown a second one.
MAX_LINES = 350


def test_every_module_is_small():
    sizes = {path.relative_to(ROOT).as_posix(): len(path.read_text().splitlines())
             for folder in ("bnn2q", "bench", "tests", "examples", "docs") for path in (ROOT / folder).rglob("*.py")}
    assert sizes, "no modules found"
    large = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not large, f"split these modules (at most {MAX_LINES} lines each): {large}"
