"""Sweeps lose and duplicate nothing: one sweep per output folder, whole appends from any number of
processes, no worker outliving a killed sweep, nothing created for refused arguments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bnn2q.cli import run as cli_run
from bnn2q.train.sweep.lock import LOCK_NAME, OutputLock
from bnn2q.train.sweep.store import COLUMNS, append_row, read_rows, row_key

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
SWEEP = ["sweep", "64-8-10", "--dataset", "digits", "--quantumness", "0,0.5", "--train-sizes", "300",
         "--seeds", "2", "--epochs", "3", "--shots", "5", "--vote", "5", "--val-size", "60"]


def row(tag: str) -> dict:
    return {c: (tag if c == "seed" else "0") for c in COLUMNS}


def bnn2q(*argv, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bnn2q.cli", *argv], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_two_processes_appending_at_once_keep_every_row(tmp_path):
    csv, go = tmp_path / "rows.csv", tmp_path / "go"
    script = textwrap.dedent("""
        import os, sys, time
        from bnn2q.train.sweep.store import COLUMNS, append_row
        csv, go, who = sys.argv[1:]
        while not os.path.exists(go):
            time.sleep(0.001)
        for i in range(200):
            append_row(csv, {c: (f"{who}-{i}" if c == "seed" else "0") for c in COLUMNS})
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(csv), str(go), who], cwd=ROOT)
             for who in ("a", "b")]
    time.sleep(3)  # both imported and spinning on the start line
    go.touch()
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    seeds = [r["seed"] for r in read_rows(csv)]
    assert len(seeds) == 400 and set(seeds) == {f"{w}-{i}" for w in "ab" for i in range(200)}
    assert csv.read_text().count("dataset,") == 1  # one header


def test_a_torn_last_line_is_no_row_and_the_next_append_cuts_it(tmp_path):
    csv = tmp_path / "rows.csv"
    append_row(csv, row("1"))
    with open(csv, "a") as f:
        f.write("digits,64-8-10,la")  # the machine went down mid-write
    assert [r["seed"] for r in read_rows(csv)] == ["1"]
    append_row(csv, row("2"))
    assert [r["seed"] for r in read_rows(csv)] == ["1", "2"]
    assert csv.read_text().endswith("\n") and "la\n" not in csv.read_text()


def test_a_second_sweep_into_a_folder_in_use_refuses_in_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out):
        assert (out / LOCK_NAME).read_text().startswith(f"pid {os.getpid()} ")
        assert cli_run([*SWEEP, "--workers", "0", "-o", str(out)]) == 1
        err = capsys.readouterr().err.strip()
        assert "in use by another bnn2q sweep (pid" in err and "\n" not in err
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing written
    assert list(out.iterdir()) == []  # the holder removes its lock file


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    script = ("import sys, time\nfrom bnn2q.train.sweep.lock import OutputLock\n"
              "with OutputLock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(600)\n")
    holder = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(Exception, match="in use by another bnn2q sweep"):
        OutputLock(tmp_path).__enter__()
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert (tmp_path / LOCK_NAME).exists()  # SIGKILL ran no cleanup, yet the kernel freed the lock
    with OutputLock(tmp_path):
        pass


@pytest.mark.parametrize("extra", [["--ray", "two words"], ["--workers", "-1"], ["--epochs", "0"],
                                   ["--dataset", "no_such.npz"]])
def test_refused_arguments_create_nothing(extra, tmp_path, capsys):
    out = tmp_path / "out"
    argv = [*SWEEP, "-o", str(out)]
    if extra[0] == "--dataset":
        argv[argv.index("--dataset") + 1] = extra[1]
    else:
        argv += extra
    assert cli_run(argv) == 1
    assert capsys.readouterr().err.startswith("bnn2q: error:")
    assert not out.exists()


def test_two_identical_sweeps_at_once_run_every_cell_once(tmp_path):
    out = tmp_path / "out"
    procs = [bnn2q(*SWEEP, "--workers", "0", "-o", str(out)) for _ in range(2)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    refused = [err for code, _, err in results if code == 1]
    assert codes == [0, 1], [err[-1500:] for _, _, err in results]
    assert "in use by another bnn2q sweep" in refused[0] and refused[0].strip().count("\n") == 0
    keys = [row_key(r) for r in read_rows(out / "digits-sweep.csv")]
    assert len(keys) == 4 and len(set(keys)) == 4


def _children(pid: int) -> set[int]:
    kids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.add(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_sigkilled_sweep_leaves_no_worker(tmp_path):
    out = tmp_path / "out"
    sweep = bnn2q(*SWEEP, "--workers", "2", "-o", str(out))
    csv = out / "digits-sweep.csv"
    deadline = time.monotonic() + 300
    while not (csv.exists() and read_rows(csv)) and sweep.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _children(sweep.pid)
    assert sweep.poll() is None and len(workers) >= 2, sweep.communicate()[1][-1500:]
    sweep.send_signal(signal.SIGKILL)
    sweep.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)]
    assert len(read_rows(csv)) < 4  # killed mid-sweep, rows so far intact
