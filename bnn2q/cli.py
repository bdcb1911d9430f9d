"""The ``bnn2q`` command line: the parser of the subcommands in ``bnn2q.commands``, and the one
place that turns every error into one line and a non-zero exit."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings

from .commands import compile as compile_command
from .commands import finetune as finetune_command
from .commands import info as info_command
from .commands import run as run_command
from .commands import submit as submit_command
from .commands import sweep as sweep_command
from .commands.options import check_numbers, coupling, quantumness
from .errors import Bnn2qError

EXIT_ERROR = 1
EXIT_INTERRUPT = 130


class _WarningLines(logging.Handler):
    """bnn2q's own warnings (its logger's messages say "bnn2q: …" already) as lines on whatever
    ``sys.stderr`` is when they happen: the command's user reads them, whatever else handles
    logging in the process."""

    def __init__(self):
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), file=sys.stderr)


WARNING_LINES = _WarningLines()


def quiet_native_stderr() -> None:
    """Send native (C++) stderr to /dev/null, keeping Python's sys.stderr on the terminal.

    TensorFlow's C++ core logs start-up chatter on fd 2 that no environment variable fully
    silences; the CLI owes the user clean output and one-line errors."""
    if os.environ.get("BNN2Q_DEBUG"):
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(saved, "w", buffering=1)
    except OSError:
        pass
    warnings.filterwarnings("ignore")
    # TensorFlow's Python side warns through logging (e.g. "Compiled the loaded model..."), and
    # Larq advises on training ("without setting `kernel_constraint`"): neither is the user's news.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("larq").setLevel(logging.ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bnn2q",
        description="Compile trained binarized neural networks to quantum circuits.",
        allow_abbrev=False,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add(sub)
    for subparser in sub.choices.values():
        subparser.allow_abbrev = False  # "--sample 3" must never mean "--samples 3"
    return parser


#: The subcommands, in the order ``--help`` lists them.
COMMANDS = (info_command, compile_command, run_command, finetune_command, sweep_command, submit_command)


def run(argv=None) -> int:
    """Parse ``argv`` and run the command; returns the exit status (no stderr redirection)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    log = logging.getLogger("bnn2q")
    if WARNING_LINES not in log.handlers:
        log.addHandler(WARNING_LINES)
    try:
        check_numbers(args)
        if hasattr(args, "paper_a"):
            args.quantumness = quantumness(args)  # --a given in the paper's units: τ = a/2
            args.g = coupling(args)
        args.func(args)
    except Bnn2qError as exc:
        print(f"bnn2q: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("bnn2q: interrupted", file=sys.stderr)
        return EXIT_INTERRUPT
    except Exception as exc:  # a bug in bnn2q, not bad input: still one line unless debugging
        if os.environ.get("BNN2Q_DEBUG"):
            raise
        print(f"bnn2q: internal error: {type(exc).__name__}: {exc} "
              "(rerun with BNN2Q_DEBUG=1 for a traceback and report it)", file=sys.stderr)
        return EXIT_ERROR
    return 0


def main() -> int:
    """The console entry point: quiet native logs, then run ``sys.argv``."""
    quiet_native_stderr()
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
