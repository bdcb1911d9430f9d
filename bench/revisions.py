"""The simulator at an earlier revision against the working tree, interleaved in one process:

    python bench/revisions.py REV [--only dense alexnet] [--rounds 5]

REV's package (``git archive``) is unpacked under another name into a temporary folder — its
imports are relative — so both sides run in the same interpreter, environment and thread pools,
on the same ``.h5`` models (bench/lce.py's networks) and float32 inputs, alternating call by
call; a shared virtual machine's drift then moves both alike. Prints, per network, samples ×
shots and τ, the median and best wall time and the median process-CPU time of each side, and
REV's median over the working tree's (> 1: the working tree is faster)."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402


def import_revision(rev: str, into: Path):
    """bnn2q as of ``rev``, imported as the module ``bnn2q_<rev>``."""
    import importlib

    name = "bnn2q_" + "".join(c if c.isalnum() else "_" for c in rev)
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "bnn2q"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(into, filter="data")
    (into / "bnn2q").rename(into / name)
    sys.path.insert(0, str(into))
    return importlib.import_module(name)


def main(argv=None) -> None:
    from bench.lce import _models

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev")
    parser.add_argument("--only", nargs="*", default=["dense", "alexnet"], choices=sorted(_models()))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    import bnn2q

    with tempfile.TemporaryDirectory() as tmp:
        old = import_revision(args.rev, Path(tmp))
        import importlib

        for side in (bnn2q, old):
            importlib.import_module(side.__name__ + ".sim.packed").MODE = "always"
        for key in args.only:
            label, make, n1, n15, _ = _models()[key]
            model, shape = make()
            path = Path(tmp) / f"{key}.h5"
            model.save(path)
            nets = {"new": bnn2q.load(path), "old": old.load(path)}
            for samples, shots in ((n1, 1), (n15, 15)):
                x = np.random.default_rng(1).uniform(-1, 1, (samples,) + tuple(shape)).astype(np.float32)
                for tau in (0.0, 0.5):
                    sides = {v: (lambda m=m, v=v: m.simulate(nets[v], x, quantumness=tau, shots=shots, seed=0,
                                                             keep_bits=False)) for v, m in (("new", bnn2q), ("old", old))}
                    for f in sides.values():
                        f()
                    wall, cpu = {"new": [], "old": []}, {"new": [], "old": []}
                    for _ in range(args.rounds):
                        for v, f in sides.items():
                            c, t = time.process_time(), time.perf_counter()
                            f()
                            wall[v].append(time.perf_counter() - t)
                            cpu[v].append(time.process_time() - c)
                    med = {v: np.median(w) * 1e3 for v, w in wall.items()}
                    print(f"{label:24} {samples:>6,} × {shots:<2} τ = {tau:<3g} | {args.rev}: {med['old']:7.1f} ms "
                          f"(best {min(wall['old']) * 1e3:.1f}, CPU {np.median(cpu['old']) * 1e3:.0f}) | working tree: "
                          f"{med['new']:7.1f} ms (best {min(wall['new']) * 1e3:.1f}, CPU {np.median(cpu['new']) * 1e3:.0f})"
                          f" | {med['old'] / med['new']:.2f}×", flush=True)


if __name__ == "__main__":
    main()
