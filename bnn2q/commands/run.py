"""``bnn2q run``: evaluate a model as a quantum network on a dataset, on the simulator or a backend."""

from __future__ import annotations

import json
import sys

from ..errors import InputError
from ..targets.registry import TARGET_OF
from .options import add_data, add_model, add_quantum, check_data_options, samples


def add(sub):
    p = sub.add_parser("run", help="evaluate a model as a quantum network on a dataset")
    add_model(p)
    p.add_argument("--backend", default="builtin", metavar="BACKEND",
                   help="builtin (the simulator), braket-local, aer, quantinuum-local (PECOS), selene "
                        "(Helios; needs 'make helios'), or ibm:NAME — an IBM device: a fake one like "
                        "ibm:fake_torino (Aer with its noise) or a real one (needs a saved IBM Quantum "
                        "account) (default: builtin)")
    p.add_argument("--noise", default=None, metavar="DEVICE|FILE",
                   help="builtin only: simulate a device's noise — a device name like fake_torino or a "
                        "bnn2q-noise/1 JSON spec (default: noiseless)")
    add_data(p, required=True)
    add_quantum(p)
    p.add_argument("--shots", type=int, default=100, help="shots per sample (default 100)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--max-qubits", type=int, default=None, metavar="B",
                   help="qubit budget of the compiled program (not builtin) or of --noise's placement "
                        "(default: the fewest the activation needs on a local simulator, all the device's "
                        "qubits on ibm:NAME)")
    p.add_argument("--checkpoint", default=None, metavar="DIR",
                   help="aer/ibm: keep each finished job in DIR; rerunning the same command resumes there")
    p.add_argument("--ray", default=None, metavar="ADDRESS",
                   help="split the samples across Ray tasks (builtin and the sample-by-sample backends; "
                        "the same result bit for bit): local, auto or a cluster's address, as for sweep")
    p.add_argument("--block", type=int, default=None,
                   help="--ray: samples per task (default: about 4 blocks per CPU of the cluster)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=main)


#: Backends by name; ``ibm:NAME`` names an IBM device.
RUN_BACKENDS = ("builtin", *TARGET_OF, "aer")


def main(args):
    import time

    from ..api import load, simulate

    check_data_options(args)
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
        from ..ray_runtime import check_address, import_ray

        check_address(args.ray)
        import_ray()
    if args.max_qubits is not None and args.backend == "builtin" and args.noise is None:
        raise InputError("--max-qubits budgets a compiled program (or --noise's placement on a device); the "
                         "built-in simulator needs none: drop it, or pick a --backend")
    net = load(args.model)
    x, y = samples(args, net)
    tau = args.quantumness
    jobs = {}
    start = time.perf_counter()
    if args.backend == "builtin":
        noise = None
        if args.noise is not None:
            from ..targets.ibm.noise import load as load_noise

            noise = load_noise(args.noise, max_qubits=args.max_qubits)
        settings = dict(activation=args.activation, quantumness=tau, g=args.g, shots=args.shots,
                        seed=args.seed, noise=noise,
                        keep_bits=False)  # the accuracies read the logits only
        if args.ray is not None:
            from ..targets.ray_blocks import simulate_on_ray

            result = simulate_on_ray(args.ray, net, x, args.block, sys.stderr.isatty(), **settings)
        else:
            result = simulate(net, x, progress=sys.stderr.isatty(), **settings)
    else:
        from ..targets import execute

        result = execute(net, x, backend=args.backend, activation=args.activation,
                         quantumness=tau, g=args.g, shots=args.shots, seed=args.seed,
                         max_qubits=args.max_qubits, progress=sys.stderr.isatty(), checkpoint=args.checkpoint,
                         report=jobs, ray=args.ray, block=args.block)
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
