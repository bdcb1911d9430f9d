"""The ``bnn2q`` command line. Every error reaches the user as one line and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import warnings

from .errors import Bnn2qError, InputError

EXIT_ERROR = 1
EXIT_INTERRUPT = 130


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
    # TensorFlow's Python side warns through logging (e.g. "Compiled the loaded model...").
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


# --------------------------------------------------------------------------- shared options


def _add_model(p):
    p.add_argument("model", help="trained BNN: .h5 / .keras (Larq) or .onnx")


ACTIVATIONS = ("rotation", "ancilla", "ancilla-reset")
ACTIVATION_HELP = ("quantum neuron activation: rotation; ancilla (the paper's network: weak "
                   "measurement through an ancilla, neuron qubits carry their state); ancilla-reset "
                   "(the memoryless reduction) (default: rotation)")


def _add_quantum(p):
    p.add_argument("--activation", choices=ACTIVATIONS, default="rotation", help=ACTIVATION_HELP)
    knob = p.add_mutually_exclusive_group()
    knob.add_argument("--quantumness", "--tau", type=float, default=None, dest="quantumness",
                      help="τ >= 0; 0 is the classical network (default 0)")
    knob.add_argument("--a", type=float, default=None, dest="paper_a",
                      help="the paper's stretch a (= 2τ), instead of --quantumness")
    p.add_argument("--g", type=float, default=math.pi / 2,
                   help="ancilla coupling angle in [0, pi/2]; pi/2 is classical (default pi/2)")


def _quantumness(args) -> float:
    """τ from --quantumness, or from the paper's --a (τ = a/2)."""
    from .activations import tau_from_a

    if getattr(args, "paper_a", None) is not None:
        return tau_from_a(args.paper_a)
    return 0.0 if args.quantumness is None else args.quantumness


def _add_data(p, required: bool):
    p.add_argument("--dataset", required=required, default=None,
                   help="digits | fashion-mnist | PATH.npz (Keras mnist.npz layout)")
    p.add_argument("--split", choices=("train", "test"), default="test", help="(default: test)")
    p.add_argument("--samples", type=int, default=None, help="first N samples of the split (default: all)")


def _samples(args):
    from .datasets import load_dataset

    data = load_dataset(args.dataset)
    x, y = data.split(args.split)
    if args.samples is not None:
        if args.samples < 1:
            raise InputError(f"--samples must be >= 1, got {args.samples}")
        x, y = x[: args.samples], y[: args.samples]
    return x, y


# --------------------------------------------------------------------------- info


def _add_info(sub):
    p = sub.add_parser("info", help="layers, neurons, qubits, classical accuracy")
    _add_model(p)
    _add_data(p, required=False)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_info)


def _cmd_info(args):
    from . import load, simulate
    from .report import network_summary

    net = load(args.model)
    info = network_summary(net)
    if args.dataset:
        x, y = _samples(args)
        info["dataset"] = args.dataset
        info["samples"] = int(len(y))
        info["classical_accuracy"] = simulate(net, x, shots=1).accuracy(y)
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(f"model        {info['source']}")
    print(f"input        {tuple(info['input_shape'])}")
    if info["host"]["encoder"]:
        print(f"host encoder {len(info['host']['encoder'])} steps before the first sign")
    width = max(24, 2 + max(len(row["name"]) for row in info["layers"]))
    print(f"{'hidden layer':<{width}}{'kind':<8}{'kernel':<15}{'neurons':>8}  role")
    for row in info["layers"]:
        print(f"{row['name']:<{width}}{row['kind']:<8}{row['kernel']:<15}{row['neurons']:>8}  {row['role']}")
    if info["host"]["head"]:
        print(f"host head    {len(info['host']['head'])} steps after the last sign")
    q = info["qubits"]
    print(f"neurons      {info['neurons']} hidden (one qubit each), {info['classes']} logits on the host")
    print(f"qubits       rotation: {q['rotation_min']} with reuse .. {q['rotation_all']} without; "
          f"ancilla: {q['ancilla_min']} .. {q['ancilla_all']}; ancilla-reset: {q['ancilla_reset_min']} .. "
          f"{q['ancilla_reset_all']}")
    if "classical_accuracy" in info:
        print(f"accuracy     {info['classical_accuracy']:.4f} classical (τ = 0) on {info['samples']} "
              f"{args.dataset} {args.split} samples")


# --------------------------------------------------------------------------- run


def _add_run(sub):
    p = sub.add_parser("run", help="evaluate a model as a quantum network on a dataset")
    _add_model(p)
    p.add_argument("--backend", default="builtin", metavar="BACKEND",
                   help="builtin (the simulator), braket-local, aer, quantinuum-local (PECOS), selene "
                        "(Helios; needs 'make helios'), or ibm:NAME — an IBM device: a fake one like "
                        "ibm:fake_torino (Aer with its noise) or a real one (needs a saved IBM Quantum "
                        "account) (default: builtin)")
    p.add_argument("--noise", default=None, metavar="DEVICE|FILE",
                   help="builtin only: simulate a device's noise — a device name like fake_torino or a "
                        "bnn2q-noise/1 JSON spec (default: noiseless)")
    _add_data(p, required=True)
    _add_quantum(p)
    p.add_argument("--shots", type=int, default=100, help="shots per sample (default 100)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--max-qubits", type=int, default=None,
                   help="qubit budget for compiled backends and --noise (default: unbounded)")
    p.add_argument("--checkpoint", default=None, metavar="DIR",
                   help="aer/ibm: keep each finished job in DIR; rerunning the same command resumes there")
    p.add_argument("--ray", default=None, metavar="ADDRESS",
                   help="split the samples across Ray tasks (builtin and the sample-by-sample backends; "
                        "the same result bit for bit): local, auto or a cluster's address, as for sweep")
    p.add_argument("--block", type=int, default=None,
                   help="--ray: samples per task (default: about 4 blocks per CPU of the cluster)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_run)


RUN_BACKENDS = ("builtin", "braket-local", "quantinuum-local", "selene", "aer")


def _cmd_run(args):
    import time

    from . import load, simulate

    if args.backend not in RUN_BACKENDS and not args.backend.startswith("ibm:"):
        raise InputError(f"unknown backend {args.backend!r}: use {', '.join(RUN_BACKENDS)} or ibm:NAME "
                         "(e.g. ibm:fake_torino)")
    if args.noise is not None and args.backend != "builtin":
        raise InputError("--noise applies to --backend builtin; a device backend (ibm:NAME) brings its own noise")
    if args.checkpoint is not None and args.backend in RUN_BACKENDS and args.backend != "aer":
        raise InputError("--checkpoint keeps the jobs of --backend aer or ibm:NAME")
    if args.block is not None and args.ray is None:
        raise InputError("--block sizes the tasks of --ray; add --ray local (or a cluster's address)")
    if args.block is not None and args.block < 1:
        raise InputError(f"--block must be >= 1 sample, got {args.block}")
    if args.ray is not None:
        from .ray_runtime import check_address, import_ray

        check_address(args.ray)
        import_ray()
    net = load(args.model)
    x, y = _samples(args)
    tau = args.quantumness
    jobs = {}
    start = time.perf_counter()
    if args.backend == "builtin":
        noise = None
        if args.noise is not None:
            from .noise import load as load_noise

            noise = load_noise(args.noise, max_qubits=args.max_qubits)
        settings = dict(activation=args.activation, quantumness=tau, g=args.g, shots=args.shots,
                        seed=args.seed, noise=noise)
        if args.ray is not None:
            from .targets.ray_blocks import simulate_on_ray

            result = simulate_on_ray(args.ray, net, x, args.block, sys.stderr.isatty(), **settings)
        else:
            result = simulate(net, x, progress=sys.stderr.isatty(), **settings)
    else:
        from .targets import execute

        result = execute(net, x, backend=args.backend, activation=args.activation,
                         quantumness=tau, g=args.g, shots=args.shots, seed=args.seed,
                         max_qubits=args.max_qubits, progress=True, checkpoint=args.checkpoint, report=jobs,
                         ray=args.ray, block=args.block)
    seconds = time.perf_counter() - start
    out = {
        "model": args.model,
        "backend": args.backend,
        "noise": args.noise,
        "dataset": args.dataset,
        "split": args.split,
        "samples": int(len(y)),
        "shots": args.shots,
        "activation": args.activation,
        "quantumness": tau,
        "g": args.g if args.activation != "rotation" else None,
        "accuracy": result.accuracy(y),
        "shot_accuracy": result.shot_accuracy(y),
        "seconds": round(seconds, 3),
    }
    if jobs:
        out["jobs_per_layer"] = jobs["jobs"]
        out["executions_per_layer"] = jobs["executions"]
        out["bindings_per_layer"] = jobs["bindings"]
    if args.json:
        print(json.dumps(out, indent=2))
        return
    knob = f"τ = {tau:g}" + (f", g = {args.g:.4g}" if args.activation != "rotation" else "")
    noisy = f" with {args.noise} noise" if args.noise else ""
    print(f"{out['samples']} {args.dataset} {args.split} samples × {args.shots} shots on {args.backend}{noisy} "
          f"({args.activation}, {knob})")
    print(f"accuracy        {out['accuracy']:.4f}  (argmax of shot-averaged logits)")
    print(f"shot accuracy   {out['shot_accuracy']:.4f}  (mean over single shots)")
    if jobs:
        print(f"jobs            {sum(jobs['jobs'])} ({', '.join(map(str, jobs['jobs']))} per layer; "
              f"{', '.join(map(str, jobs['bindings']))} distinct angle vectors)")
    print(f"time            {seconds:.2f} s")


# --------------------------------------------------------------------------- finetune


def _add_finetune(sub):
    p = sub.add_parser("finetune", help="quantum-aware fine-tuning of a Larq model at a quantumness")
    _add_model(p)
    p.add_argument("--dataset", required=True, help="digits | fashion-mnist | PATH.npz")
    _add_quantum(p)
    p.add_argument("--train-size", type=int, default=None, help="first N training images (default: all)")
    p.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    p.add_argument("--batch-size", type=int, default=64, help="(default 64)")
    p.add_argument("--shots", type=int, default=100, help="shots per test image when evaluating (default 100)")
    p.add_argument("--seeds", type=int, default=3, help="simulator seeds averaged when evaluating (default 3)")
    p.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    p.add_argument("-o", "--output", required=True, help="output model file (.h5 or .keras)")
    p.set_defaults(func=_cmd_finetune)


def _cmd_finetune(args):
    from .train import finetune_cli

    finetune_cli.run(args)


# --------------------------------------------------------------------------- sweep


def _add_sweep(sub):
    p = sub.add_parser("sweep", help="train a grid over quantumness (or g), seeds and sizes; CSV + plots")
    p.add_argument("architecture", metavar="MODEL",
                   help="a Larq model file (its architecture, retrained) or a spec like 64-32-10")
    p.add_argument("--dataset", required=True, help="digits | fashion-mnist | PATH.npz")
    p.add_argument("--family", choices=("larq", "paper"), default="larq",
                   help="for a spec: larq (±1 kernels, batch-norm) or paper (the paper's real-weight MLP: "
                        "no bias, no batch-norm) (default larq)")
    p.add_argument("--activation", default="rotation",
                   help="comma-separated activations: rotation, ancilla, ancilla-reset (default rotation)")
    knob = p.add_mutually_exclusive_group()
    knob.add_argument("--quantumness", "--tau", default=None, dest="quantumness",
                      help="comma-separated τ values (for ancilla the neuron's own τ; default 0)")
    knob.add_argument("--a", default=None, dest="paper_a_list",
                      help="comma-separated values of the paper's stretch a = 2τ, instead of --quantumness")
    p.add_argument("--g", default="pi/2", help="comma-separated ancilla angles g (default pi/2)")
    p.add_argument("--gradient", default="expected",
                   help="comma-separated surrogate gradients: expected (straight-through on the expected "
                        "spin), htanh (the paper's hard-tanh) (default expected)")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam",
                   help="adam, or sgd with --momentum (the paper's recipe) (default adam)")
    p.add_argument("--momentum", type=float, default=0.9, help="SGD momentum (default 0.9)")
    p.add_argument("--train-sizes", default="500", help="comma-separated training-set sizes (default 500)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per setting (default 3)")
    p.add_argument("--epochs", type=int, default=30, help="training epochs per cell (default 30)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate (default 3e-3 for adam, 1e-2 for sgd)")
    p.add_argument("--batch-size", type=int, default=64, help="(default 64)")
    p.add_argument("--shots", type=int, default=100, help="simulator shots per validation image (default 100)")
    p.add_argument("--vote", type=int, default=15, help="shots per majority vote (default 15)")
    p.add_argument("--val-size", type=int, default=None,
                   help="first N test images used for validation (default: all)")
    p.add_argument("--workers", type=int, default=2,
                   help="local worker processes (default 2; 0 runs in this process); with --ray local, "
                        "the CPUs of the runtime it starts")
    p.add_argument("--ray", default=None, metavar="ADDRESS",
                   help="run cells as Ray tasks: 'local' starts a private runtime; 'auto' joins the "
                        "cluster this machine belongs to (RAY_ADDRESS, else the last 'ray start' here); "
                        "HOST:PORT or ray://HOST:PORT joins that one")
    p.add_argument("-o", "--output", required=True, help="output directory (CSV, plots, summary)")
    p.set_defaults(func=_cmd_sweep)


def _cmd_sweep(args):
    from .train import sweep_cli

    sweep_cli.run(args)


# --------------------------------------------------------------------------- compile


def _add_compile(sub):
    p = sub.add_parser("compile", help="compile a model to OpenQASM 3, Braket, IBM, Quantinuum or Helios programs")
    _add_model(p)
    p.add_argument("--target", choices=("qasm3", "braket", "ibm", "quantinuum", "helios"), default="qasm3",
                   help="quantinuum: pytket for H-series (JSON); helios: a Guppy module (.py, or .hugr "
                        "with 'make helios') (default: qasm3)")
    p.add_argument("--backend", default=None, metavar="DEVICE",
                   help="--target ibm: the IBM device to transpile for, e.g. fake_torino or ibm:fake_torino "
                        "(a real device needs a saved IBM Quantum account) (default: a heavy-hex device model)")
    _add_quantum(p)
    p.add_argument("--strategy", choices=("auto", "dynamic", "layerwise"), default="auto",
                   help="feed-forward in one circuit, or one circuit per layer (default: the target's)")
    p.add_argument("--max-qubits", type=int, default=None, help="physical qubit budget (default: unbounded)")
    p.add_argument("--tolerance", type=float, default=0.0,
                   help="angle tolerance in radians for pruning feed-forward levels (default 0: exact)")
    p.add_argument("--int-bits", type=int, default=None,
                   help="width of the feed-forward integer; real weights become fixed point in it "
                        "(default: the widest the target holds, 64 for qasm3/braket)")
    p.add_argument("--sample", type=int, default=None,
                   help="bake sample I of --dataset into the program (default: program inputs)")
    p.add_argument("--dataset", default=None, help="digits | fashion-mnist | PATH.npz (with --sample)")
    p.add_argument("--split", choices=("train", "test"), default="test", help="(default: test)")
    p.add_argument("-o", "--output", required=True,
                   help="FILE: OpenQASM 3 text (dynamic), JSON with one circuit per layer (layerwise) or "
                        "the pytket circuit (quantinuum), Guppy source or .hugr (helios); FILE.qpy "
                        "(--target ibm): the device's ISA circuits in Qiskit's QPY")
    p.add_argument("--json", action="store_true", help="print the resource report as JSON")
    p.set_defaults(func=_cmd_compile)


def _cmd_compile(args):
    from . import load
    from .targets import compile as compile_net
    from .targets.output import write_program

    if args.backend is not None and args.target != "ibm":
        raise InputError(f"--backend names an IBM device to transpile for: use it with --target ibm, not {args.target}")
    if str(args.output).endswith(".qpy") and args.target != "ibm":
        raise InputError(f"a .qpy file holds Qiskit circuits: compile with --target ibm, not {args.target}")
    if (args.sample is None) != (args.dataset is None):
        raise InputError("--sample I and --dataset D go together (bake sample I of D into the program)")
    inputs = None
    if args.sample is not None:
        from .datasets import load_dataset

        x, _ = load_dataset(args.dataset).split(args.split)
        if not 0 <= args.sample < len(x):
            raise InputError(f"--sample must lie in [0, {len(x) - 1}] for {args.dataset} {args.split}, got {args.sample}")
        inputs = x[args.sample]
    prog = compile_net(load(args.model), target=args.target, activation=args.activation,
                       quantumness=args.quantumness, g=args.g, max_qubits=args.max_qubits,
                       inputs=inputs, tolerance=args.tolerance, strategy=args.strategy,
                       int_bits=args.int_bits, backend=args.backend)
    write_program(prog, args.output)
    if args.json:
        print(json.dumps(prog.resources, indent=2))
        return
    r = prog.resources
    print(f"wrote {args.output}: target {r['target']}, strategy {r['strategy']}, {r['activation']}")
    for key in ("qubits", "circuits", "measurements", "resets", "conditionals", "depth", "two_qubit_gates"):
        print(f"{key:<18}{r[key]}")
    if "transpiled" in r:
        t = r["transpiled"]
        print(f"{'transpiled':<18}depth {t['depth']}, two-qubit gates {t['two_qubit_gates']}, swaps {t['swaps']} on "
              f"{t['device']} (physical qubits {', '.join(map(str, t['physical_qubits'][:8]))}"
              f"{', …' if len(t['physical_qubits']) > 8 else ''})")
    if "h2" in r:
        h = r["h2"]
        print(f"{'H2 compiled':<18}depth {h['depth']}, two-qubit gates {h['two_qubit_gates']}, conditionals "
              f"{h['conditionals']}, {h['commands']} commands (level {h['optimisation_level']}; offline checks "
              f"passed: {', '.join(h['checks_s'])})")
    if "helios" in r:
        print(f"{'Helios':<18}{r['helios']['computed_angles']} angles computed at run time, "
              f"{r['helios']['guppy_chars']} characters of Guppy")
    if r["max_probability_error"]:
        print(f"{'error bound':<18}|ΔP(bit = 1)| <= {r['max_probability_error']:.3g} per neuron "
              f"(pruning and fixed-point rounding)")
    if r["max_preactivation_error"]:
        print(f"{'fixed point':<18}|Δu| <= {r['max_preactivation_error']:.3g} ({r['int_bits']}-bit integers)")


# --------------------------------------------------------------------------- submit


def _add_submit(sub):
    p = sub.add_parser("submit", help="send a compiled program to Quantinuum (qnexus, in the Helios environment)")
    p.add_argument("program", help="a Guppy module (.py, from --target helios: runs on Helios) or a JSON "
                                   "program from --target quantinuum (runs on H2)")
    p.add_argument("--project", required=True, help="Nexus project (created if missing)")
    p.add_argument("--shots", type=int, required=True, help="shots of the job")
    p.add_argument("--device", default=None, help="Helios-1 or H2-1 by default (H2-1E, H2-1LE: emulators)")
    p.add_argument("--dry-run", action="store_true", help="build the job, send nothing")
    p.set_defaults(func=_cmd_submit)


def _cmd_submit(args):
    from pathlib import Path

    from .targets import helios_env

    if not Path(args.program).is_file():
        raise InputError(f"no program at {args.program!r}: write one with 'bnn2q compile --target helios|quantinuum'")
    if args.shots < 1:
        raise InputError(f"--shots must be >= 1, got {args.shots}")
    argv = ["submit", str(Path(args.program).resolve()), "--project", args.project, "--shots", str(args.shots)]
    argv += (["--device", args.device] if args.device else []) + (["--dry-run"] if args.dry_run else [])
    print(helios_env.call(argv).strip())


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bnn2q",
        description="Compile trained binarized neural networks to quantum circuits.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


#: Subcommand registrars, in the order ``--help`` lists them.
COMMANDS = [_add_info, _add_compile, _add_run, _add_finetune, _add_sweep, _add_submit]


def run(argv=None) -> int:
    """Parse ``argv`` and run the command; returns the exit status (no stderr redirection)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if hasattr(args, "paper_a"):
            args.quantumness = _quantumness(args)  # --a given in the paper's units: τ = a/2
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
