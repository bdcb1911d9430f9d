"""Jobs whose time and peak memory the benchmark measures, each alone in a fresh process."""

from __future__ import annotations

import time
import tracemalloc

from bench.floor import float32_forward
from bench.networks import random_inputs, random_network

#: Braket's local simulator and aer hold at most this many qubits; one qubit per neuron is
#: the fastest to simulate (reset and reuse), and the statistics do not depend on it.
PEER_TARGETS = {"braket-local": ("braket", 1), "aer": ("ibm", 1)}


def simulate(sizes, samples, shots, quantumness=0.5, keep_bits=True):
    import bnn2q

    net = random_network(sizes)
    x = random_inputs(samples, sizes[0])
    bnn2q.simulate(net, x, quantumness=quantumness, shots=shots, keep_bits=keep_bits)


def floor(sizes, samples, shots):
    net = random_network(sizes)
    float32_forward(net, random_inputs(samples, sizes[0]), shots)()


def peer(sizes, backend, shots, quantumness=0.5):
    """Compile the network for one sample and run it on a peer simulator: times and the
    frequency of 1 for every bit of register m."""
    import numpy as np

    import bnn2q

    net = random_network(sizes)
    x = random_inputs(1, sizes[0])[0]
    target, qubits = PEER_TARGETS[backend]
    start = time.perf_counter()
    prog = bnn2q.compile(net, target=target, quantumness=quantumness, inputs=x, max_qubits=qubits)
    compiled = time.perf_counter()
    counts = bnn2q.run(prog, backend=backend, shots=shots, seed=0)
    ran = time.perf_counter()
    n_bits = len(next(iter(counts)))
    ones = np.zeros(n_bits)
    for bitstring, count in counts.items():
        ones += count * (np.frombuffer(bitstring.encode(), dtype=np.uint8) - ord("0"))
    return {"compile_s": compiled - start, "run_s": ran - compiled, "freq": (ones / shots).tolist(),
            "strategy": prog.strategy}


def train(sizes, train_size, epochs, quantumness=None, batch_size=64):
    """Seconds per epoch (median after the first, which traces the graph) of plain Larq
    training (``quantumness`` None) or of quantum-aware fine-tuning, on random data shaped
    like the dataset (time per epoch does not depend on the values)."""
    import numpy as np

    from bench.epoch_timer import epoch_timer
    from bnn2q.frontends.tf_env import import_tf
    from bnn2q.train.finetune import finetune
    from bnn2q.train.models import dense_bnn

    _, keras, _ = import_tf()
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(train_size, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], size=train_size)
    model = dense_bnn((sizes[0],), list(sizes[1:-1]), sizes[-1])
    timer = epoch_timer()
    if quantumness is None:
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer])
    else:
        finetune(model, x, y, quantumness=quantumness, epochs=epochs, batch_size=batch_size,
                 callbacks=[timer])
    return {"epoch_s": timer.steady()}


def conv_tf(net, samples, shots):
    """TF's forward pass of a benchmark conv net (bench.conv_nets) over samples × shots rows;
    ``call_mib``: the peak above the resident memory once the model is built."""
    from bench.conv import _inputs, tf_forward
    from bench.conv_nets import NETS

    model, shape = NETS[net]()
    run = tf_forward(model, _inputs(shape, samples), shots)
    before = _rss_kib()
    run()
    return {"call_mib": (_peak_rss_kib() - before) / 1024}


def conv_simulate(ir, shape, samples, shots, path):
    """The simulator on a pickled network (no TensorFlow in this process) at τ = 0.5."""
    import pickle

    from bench.conv import QUANTUMNESS, _inputs
    from bench.paths import simulate as run

    with open(ir, "rb") as f:
        net = pickle.load(f)
    x = _inputs(shape, samples)
    if path == "packed":
        from bnn2q.sim.packed import jit  # noqa: F401  (numba's import is not the simulation's memory)
    before = _rss_kib()
    run(path, net, x, quantumness=QUANTUMNESS, shots=shots, seed=0)
    return {"call_mib": (_peak_rss_kib() - before) / 1024}


JOBS = {"simulate": simulate, "floor": floor, "peer": peer, "train": train, "conv_tf": conv_tf,
        "conv_simulate": conv_simulate}


def run_measured(job: str, kwargs: dict) -> dict:
    # tracemalloc slows NumPy-heavy code only slightly: NumPy reports its buffers to it.
    tracemalloc.start()
    start = time.perf_counter()
    result = JOBS[job](**kwargs) or {}
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {**result, "peak_rss_mib": _peak_rss_kib() / 1024, "peak_traced_mib": traced_peak / 2**20,
            "seconds": seconds}


def _rss_kib() -> int:
    """VmRSS now, after resetting the peak (VmHWM) to it, so that a later peak is the call's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _peak_rss_kib() -> int:
    """VmHWM: this process's own peak (getrusage's maxrss carries the parent's over exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")
