"""Runs inside the optional Helios environment (``.venv-helios``: Python 3.12, guppylang, Selene,
qnexus) — never imported by bnn2q, which calls it as a script (``python -I``) with a Guppy module
written by the ``helios`` target or a pytket circuit written by the ``quantinuum`` target.

    run JOBS.json --out OUT.json
        JOBS: [{"program": PATH.py, "inputs": ANGLES.json | null, "runs": [[SHOTS, SEED], ...]}, ...];
        per job the HUGR of ``main``, then each run's shots on Selene with its seed, a line
        "bnn2q-progress SHOTS" on stderr after each. OUT: one {"bits": [[0/1, ...] per shot],
        "hugr_s", "emulate_s"} per job (one process: Guppy and Selene load once).
    hugr PROGRAM.py --out FILE.hugr
    submit PROGRAM.py|CIRCUIT.json --project NAME --shots N [--device D] [--dry-run]
        upload to Quantinuum Nexus and start an execute job (needs `qnx login` first); a Guppy
        module goes to Helios as HUGR, a pytket circuit to H2. --dry-run builds everything
        the submission needs and stops before the network.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path


def load(path: str, inputs: str | None = None):
    """The Guppy module at ``path`` (Guppy reads its source), its THETA_IN set from ``inputs``."""
    spec = importlib.util.spec_from_file_location(f"bnn2q_program_{Path(path).parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    if not inputs and not module.BAKED_IN:
        raise SystemExit("the program takes its first-layer angles per sample (THETA_IN): pass --inputs, "
                         "or compile it with the sample baked in (--sample I --dataset D)")
    if inputs:
        values = json.loads(Path(inputs).read_text())
        if len(values) != len(module.THETA_IN):
            raise SystemExit(f"--inputs has {len(values)} angles, the program takes {len(module.THETA_IN)}")
        module.THETA_IN[:] = [float(v) for v in values]  # read when main is compiled
    return module


def run(args) -> None:
    outs = []
    for job in json.loads(Path(args.jobs).read_text()):
        module = load(job["program"], job.get("inputs"))
        start = time.perf_counter()
        module.main.compile()
        hugr_s = time.perf_counter() - start
        start = time.perf_counter()
        emulator = module.main.emulator(n_qubits=module.N_QUBITS)
        print("bnn2q-progress 0", file=sys.stderr, flush=True)  # built: the shots start
        bits = []
        for shots, seed in job["runs"]:
            result = emulator.with_shots(shots).with_seed(seed).run()
            bits += [[int(bool(v)) for v in shot.get("m", [])] for shot in result.collated_shots()]
            print(f"bnn2q-progress {shots}", file=sys.stderr, flush=True)
        outs.append({"bits": bits, "hugr_s": round(hugr_s, 3), "emulate_s": round(time.perf_counter() - start, 3)})
    Path(args.out).write_text(json.dumps(outs))


def hugr(args) -> None:
    Path(args.out).write_bytes(load(args.program, args.inputs).main.compile().to_bytes())


def submit(args) -> None:
    import qnexus as qnx

    name = args.name or Path(args.program).stem
    if not args.dry_run:
        logged_in()  # before the seconds building the package take
    if args.program.endswith(".py"):
        package = load(args.program, args.inputs).main.compile()
        config = qnx.models.HeliosConfig(system_name=args.device or "Helios-1")
        upload = lambda project: qnx.hugr.upload(hugr_package=package, name=name, project=project)  # noqa: E731
    else:
        from pytket.circuit import Circuit

        doc = json.loads(Path(args.program).read_text())
        circuit = Circuit.from_dict(doc["pytket"])
        if circuit.free_symbols():
            raise SystemExit("the circuit has unbound input angles: compile it with --sample I --dataset D")
        config = qnx.models.QuantinuumConfig(device_name=args.device or "H2-1")
        upload = lambda project: qnx.circuits.upload(circuit=circuit, name=name, project=project)  # noqa: E731
    if args.dry_run:
        print(json.dumps({"program": name, "backend_config": config.model_dump(mode="json"), "shots": args.shots,
                          "project": args.project, "sent": False}))
        return
    try:
        project = qnx.projects.get_or_create(name=args.project)
        ref = upload(project)
        job = qnx.start_execute_job(programs=[ref], n_shots=[args.shots], backend_config=config,
                                    name=f"{name}-{int(time.time())}", project=project)
    except Exception as exc:  # httpx's network errors, qnexus' AuthenticationError, refusals
        raise SystemExit(nexus_failure(exc)) from None
    print(json.dumps({"program": name, "job": str(job.id), "project": args.project, "sent": True}))


LOGIN = "log in once with '.venv-helios/bin/qnx login' (in a browser), then submit again"


def logged_in() -> None:
    """Stop in one line, before any network traffic, when no Nexus login is stored."""
    from qnexus.client.utils import read_token

    try:
        read_token("refresh_token")
    except FileNotFoundError:
        raise SystemExit(f"not logged in to Quantinuum Nexus: {LOGIN}") from None


def nexus_failure(exc: Exception) -> str:
    """One line for a failed submission: what failed and what to do."""
    import httpx

    what = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    if type(exc).__name__ == "AuthenticationError":
        return f"Quantinuum Nexus refused the login ({what}): {LOGIN}"
    if isinstance(exc, httpx.TransportError):
        return f"could not reach Quantinuum Nexus ({what}): check the network connection (and the login: {LOGIN})"
    return f"Quantinuum Nexus refused the submission ({what})"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="helios_runner")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("jobs")
    p.add_argument("--out", required=True)
    p.set_defaults(func=run)
    p = sub.add_parser("hugr")
    p.add_argument("program")
    p.add_argument("--inputs", default=None)
    p.add_argument("--out", required=True)
    p.set_defaults(func=hugr)
    p = sub.add_parser("submit")
    p.add_argument("program")
    p.add_argument("--project", required=True)
    p.add_argument("--shots", type=int, required=True)
    p.add_argument("--device", default=None, help="Helios-1 (Guppy) or H2-1 (pytket) by default")
    p.add_argument("--name", default=None)
    p.add_argument("--inputs", default=None)
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(func=submit)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
