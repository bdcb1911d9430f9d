"""``bnn2q compile``: a model to a target's program file, with its resource report."""

from __future__ import annotations

import json

from ..errors import InputError
from ..targets.registry import TARGETS
from .options import DATASET_HELP, add_model, add_quantum


def add(sub):
    p = sub.add_parser("compile", help="compile a model to OpenQASM 3, Braket, IBM, Quantinuum or Helios programs")
    add_model(p)
    p.add_argument("--target", choices=TARGETS, default="qasm3",
                   help="quantinuum: pytket for H-series (JSON); helios: a Guppy module (.py, or .hugr "
                        "with 'make helios') (default: qasm3)")
    p.add_argument("--backend", default=None, metavar="DEVICE",
                   help="--target ibm: the IBM device to transpile for, e.g. fake_torino or ibm:fake_torino "
                        "(a real device needs a saved IBM Quantum account) (default: a heavy-hex device model)")
    add_quantum(p)
    p.add_argument("--strategy", choices=("auto", "dynamic", "layerwise"), default="auto",
                   help="feed-forward in one circuit, or one circuit per layer (default: the target's)")
    p.add_argument("--max-qubits", type=int, default=None, metavar="B",
                   help="physical qubit budget: measured qubits are reset and reused (default: unbounded; "
                        "ibm: the device's qubits)")
    p.add_argument("--tolerance", type=float, default=0.0, metavar="EPS",
                   help="angle tolerance in radians for pruning feed-forward levels (default 0: exact)")
    p.add_argument("--int-bits", type=int, default=None, metavar="BITS",
                   help="width of the feed-forward integer; real weights become fixed point in it "
                        "(default: the widest the target holds, 64 for qasm3/braket)")
    p.add_argument("--sample", type=int, default=None, metavar="I",
                   help="bake sample I (an index) of --dataset into the program (default: the first "
                        "layer's angles stay program inputs)")
    p.add_argument("--dataset", default=None, metavar="DATASET", help=f"with --sample: {DATASET_HELP}")
    p.add_argument("--split", choices=("train", "test"), default="test",
                   help="with --sample: which part of --dataset (default: test)")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="FILE.qasm: OpenQASM 3 text (qasm3/braket, dynamic); FILE.json: one circuit per layer "
                        "(layerwise, ibm) or the pytket circuit (quantinuum); FILE.py or FILE.hugr: Guppy "
                        "source or HUGR (helios); FILE.qpy (ibm): the device's ISA circuits in Qiskit's QPY "
                        "(needed unless --json)")
    p.add_argument("--json", action="store_true", help="print the resource report as JSON (-o optional)")
    p.set_defaults(func=main)


def main(args):
    from ..api import load
    from ..atomic import check_writable
    from ..targets import compile as compile_net
    from ..targets.output import check_format, write_program

    if args.backend is not None and args.target != "ibm":
        raise InputError(f"--backend names an IBM device to transpile for: use it with --target ibm, not {args.target}")
    if args.output is None and not args.json:
        raise InputError("give -o FILE to write the program (or --json to print only its resource report)")
    if args.output is not None:
        check_format(args.output, args.target, args.strategy)
        check_writable(args.output)  # before compiling: a refused path costs nothing
    if (args.sample is None) != (args.dataset is None):
        raise InputError("--sample I and --dataset D go together (bake sample I of D into the program)")
    if args.split != "test" and args.sample is None:
        raise InputError("--split chooses the part of --dataset that --sample I indexes: give --sample and --dataset")
    inputs = None
    if args.sample is not None:
        from ..datasets import load_dataset

        x, _ = load_dataset(args.dataset).split(args.split)
        if not 0 <= args.sample < len(x):
            raise InputError(f"--sample must lie in [0, {len(x) - 1}] for {args.dataset} {args.split}, got {args.sample}")
        inputs = x[args.sample]
    prog = compile_net(load(args.model), target=args.target, activation=args.activation,
                       quantumness=args.quantumness, g=args.g, max_qubits=args.max_qubits,
                       inputs=inputs, tolerance=args.tolerance, strategy=args.strategy,
                       int_bits=args.int_bits, backend=args.backend)
    if args.output is not None:
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
