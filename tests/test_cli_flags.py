"""One meaning per flag, help for every flag, no abbreviations, and a one-line error for flags
that do not apply; SPEC §5's command lines keep parsing."""

from __future__ import annotations

import argparse
import json
import shlex

import pytest

from bnn2q import cli

pytestmark = pytest.mark.xdist_group("larq-models")


def subparsers():
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, action.choices


def test_no_flag_is_abbreviated_anywhere():
    parser, subs = subparsers()
    assert not parser.allow_abbrev and all(not p.allow_abbrev for p in subs.values())
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "m.h5", "--dataset", "digits", "--samp", "3"])


def test_every_flag_has_help_that_says_what_it_is():
    _, subs = subparsers()
    for name, p in subs.items():
        for action in p._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            text = (action.help or "").strip()
            assert text and not text.startswith("("), f"bnn2q {name} {action.option_strings or action.dest}: {text!r}"
            if not action.option_strings:  # positionals read as MODEL, PROGRAM
                assert (action.metavar or "").isupper(), f"bnn2q {name} {action.dest}"


SPEC_LINES = [
    "info MODEL",
    "compile MODEL --target qasm3 --activation rotation --quantumness 0.5 --g 1.0 --max-qubits 8 "
    "--sample 0 --dataset digits -o FILE",
    "compile MODEL --target ibm --activation ancilla --quantumness 0.5 --g 1.0 -o FILE",
    "run MODEL --backend builtin --dataset digits --shots 10 --samples 5 --json",
    "run MODEL --backend braket-local --dataset fashion-mnist",
    "finetune MODEL --dataset digits --quantumness 0.5 --g 1.0 --train-size 100 -o OUT",
    "sweep MODEL --dataset digits -o DIR",
]


@pytest.mark.parametrize("line", SPEC_LINES)
def test_spec_command_lines_still_parse(line):
    args = cli.build_parser().parse_args(shlex.split(line))
    assert args.command == line.split()[0]


def test_finetune_eval_seeds_and_its_old_spelling(capsys):
    parser = cli.build_parser()
    assert parser.parse_args(["finetune", "m.h5", "--dataset", "digits", "-o", "o.h5", "--eval-seeds", "2"]).eval_seeds == 2
    old = parser.parse_args(["finetune", "m.h5", "--dataset", "digits", "-o", "o.h5", "--seeds", "4"])
    assert old.eval_seeds == 4 and "--seeds is now --eval-seeds" in capsys.readouterr().err


@pytest.mark.parametrize("argv, match", [
    (["run", "{model}", "--dataset", "digits", "--g", "0.5"], "rotation activation does not have"),
    (["run", "{model}", "--dataset", "digits", "--sample", "3"], "use --samples 3"),
    (["run", "{model}", "--dataset", "digits", "--max-qubits", "4"], "built-in simulator needs none"),
    (["info", "{model}", "--samples", "4"], "give --dataset too"),
    (["compile", "{model}", "--target", "qasm3"], "give -o FILE"),
    (["compile", "{model}", "--target", "ibm", "-o", "{out}/x.qasm"], r"target ibm writes a JSON document .* \*\.json"),
    (["compile", "{model}", "--target", "qasm3", "--strategy", "layerwise", "-o", "{out}/x.qasm"],
     "writes a JSON document"),
    (["compile", "{model}", "--target", "helios", "-o", "{out}/x.qasm"], "a Guppy module"),
    (["compile", "{model}", "--split", "train", "-o", "{out}/x.qasm"], "give --sample and --dataset"),
    (["sweep", "64-10", "--dataset", "digits", "--g", "0.3", "-o", "{out}/sweep"], "rotation activation does not"),
])
def test_flags_that_do_not_apply_are_one_line_errors(capsys, tmp_path, digits_model_path, argv, match):
    import re

    argv = [a.replace("{model}", str(digits_model_path)).replace("{out}", str(tmp_path)) for a in argv]
    code = cli.run(argv)
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bnn2q: error: ") and re.search(match, lines[0]), err
    assert list(tmp_path.iterdir()) == []


def test_compile_json_needs_no_output_file(capsys, tmp_path, digits_model_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.run(["compile", str(digits_model_path), "--quantumness", "0.5", "--max-qubits", "8", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["qubits"] == 8 and list(tmp_path.iterdir()) == []


def test_ibm_writes_json_or_qpy_by_the_name_given(capsys, tmp_path, digits_model_path):
    assert cli.run(["compile", str(digits_model_path), "--target", "ibm", "--max-qubits", "8",
                    "-o", str(tmp_path / "x.json")]) == 0
    assert json.loads((tmp_path / "x.json").read_text())["target"] == "ibm"
