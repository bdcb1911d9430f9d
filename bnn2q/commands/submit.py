"""``bnn2q submit``: send a compiled program to Quantinuum through qnexus (in the Helios environment)."""

from __future__ import annotations

from ..errors import InputError


def add(sub):
    p = sub.add_parser("submit", help="send a compiled program to Quantinuum (qnexus, in the Helios environment)")
    p.add_argument("program", metavar="PROGRAM", help="a Guppy module (.py, from --target helios: runs on Helios) or a JSON "
                                   "program from --target quantinuum (runs on H2)")
    p.add_argument("--project", required=True, metavar="NAME", help="Nexus project (created if missing)")
    p.add_argument("--shots", type=int, required=True, help="shots of the job")
    p.add_argument("--device", default=None, metavar="NAME",
                   help="the machine: Helios-1 for a Guppy module, H2-1 for a pytket circuit by default "
                        "(H2-1E, H2-1LE: emulators)")
    p.add_argument("--dry-run", action="store_true", help="build the job, send nothing")
    p.set_defaults(func=main)


def main(args):
    from pathlib import Path

    from ..targets.helios import env as helios_env

    if not Path(args.program).is_file():
        raise InputError(f"no program at {args.program!r}: write one with 'bnn2q compile --target helios|quantinuum'")
    if args.shots < 1:
        raise InputError(f"--shots must be >= 1, got {args.shots}")
    argv = ["submit", str(Path(args.program).resolve()), "--project", args.project, "--shots", str(args.shots)]
    argv += (["--device", args.device] if args.device else []) + (["--dry-run"] if args.dry_run else [])
    print(helios_env.call(argv).strip())
