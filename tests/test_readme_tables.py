"""The README's tables are what docs/readme_tables.py generates (`make docs`): from the committed
results, and — in the README test's group — by running `bnn2q compile` on the committed model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tables():
    spec = importlib.util.spec_from_file_location("readme_tables", ROOT / "docs" / "readme_tables.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_region_has_a_generator_and_every_generator_a_region():
    t = tables()
    assert set(t.regions((ROOT / "README.md").read_text())) == set(t.TABLES)


@pytest.mark.parametrize("source", ["results", pytest.param("code", marks=pytest.mark.xdist_group("readme"))])
def test_the_page_holds_what_the_code_gives(source, monkeypatch, capsys):
    t = tables()
    code = t.main(["--check", "--source", source])
    assert code == 0, capsys.readouterr().out


def test_a_drifted_table_fails_the_check(tmp_path, monkeypatch):
    t = tables()
    page = (ROOT / "README.md").read_text().replace("| 0.5 | 0.01 | 157 |", "| 0.5 | 0.01 | 158 |")
    (tmp_path / "README.md").write_text(page)
    monkeypatch.setattr(t, "README", tmp_path / "README.md")
    assert t.main(["--check", "--source", "results"]) == 1
    assert t.main(["--source", "results"]) == 0 and (tmp_path / "README.md").read_text() == (ROOT / "README.md").read_text()
