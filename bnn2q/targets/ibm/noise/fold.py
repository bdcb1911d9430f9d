"""Fold a device noise model into each measured bit of a layer circuit.

A layer circuit is a set of *units* — a rotation neuron on one qubit, or a neuron/ancilla pair
on a coupler — that share no gate. Every channel of a qiskit-aer device noise model is local
to the instruction it follows (depolarizing and thermal relaxation after each gate, a
classical readout confusion per measured qubit), so in every trajectory the state is a
product over units, and each unit can be propagated alone, exactly. Each qubit's timeline is
cut at every ``reset``: an ideal reset leaves |0⟩ whatever came before and its noise acts on
that |0⟩, so what follows is independent of what preceded. The pieces of qubit timelines
joined by two-qubit gates are the *segments*; each measures one bit.

A segment is propagated as a Pauli vector v_a = tr(P_a ρ) over its k qubits (P_a the k-qubit
Paulis) through each instruction's Pauli transfer matrix R_ab = tr(P_a E(P_b)) / 2^k: the
ideal gate, then the model's error for (gate, physical qubits). A measurement projects on the
true outcome s and records r with the model's P(r | s). The neuron angle θ enters through one
rotation gate (the ``rz(θ + c)`` the transpiler makes of a parametric R_y), whose transfer
matrix is A + B cos θ + C sin θ; everything else is linear and θ-independent, so

    P(bit = 1 | θ) = α + β cos θ + γ sin θ

exactly. α, β, γ are read off by evaluating the segment at θ = 0, 2π/3, 4π/3 (the discrete
Fourier transform of a degree-1 trigonometric polynomial).

What the model must be for this to be exact (checked, or an error): errors local to each
instruction (no correlated or non-local errors), single-qubit readout errors, no control flow
or scheduled ``delay``s in the circuit, one measured bit and at most one parameter per segment,
each parameter in one rotation. Aer also drops the terms of an error whose probability is
≤ 1e-10 and renormalises; the fold keeps them (a difference of order 1e-10).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ....errors import TargetError

#: The three angles at which a segment is evaluated (enough for degree 1).
ANGLES = 2 * np.pi * np.arange(3) / 3
CONTROL_FLOW = ("if_else", "for_loop", "while_loop", "switch_case", "box")
#: Gates whose one parameter φ enters as exp(−iφP/2): degree 1 in φ.
ROTATIONS = ("rz", "rx", "ry", "p", "u1")


@dataclass(frozen=True)
class BitFold:
    """P(m[bit] = 1 | θ) = alpha + beta cos θ + gamma sin θ, θ the value of ``param`` (None:
    the bit does not depend on one, and beta = gamma = 0); ``qubits`` its segment's."""

    bit: int
    param: str | None
    alpha: float
    beta: float
    gamma: float
    qubits: tuple


class NoiseTables:
    """The channels of a qiskit-aer ``NoiseModel`` as Pauli transfer matrices, read lazily."""

    def __init__(self, noise_model):
        self.model = noise_model
        self._cache: dict = {}
        if noise_model is not None:
            for attr in ("_local_quantum_errors", "_default_quantum_errors", "_local_readout_errors"):
                if not hasattr(noise_model, attr):
                    raise TargetError(f"this qiskit-aer's NoiseModel has no {attr}: the noise fold reads "
                                      "qiskit-aer 0.17–0.18's tables")
            if getattr(noise_model, "_nonlocal_quantum_errors", None):
                raise TargetError("the noise model has non-local errors; the fold needs errors local to "
                                  "each instruction")

    def error(self, name: str, qubits: tuple):
        """The QuantumError Aer applies after (``name``, physical ``qubits``), or None."""
        if self.model is None:
            return None
        local = self.model._local_quantum_errors.get(name, {})
        if tuple(qubits) in local:
            return local[tuple(qubits)]
        return self.model._default_quantum_errors.get(name)

    def readout(self, qubit: int) -> np.ndarray:
        """P[true s, recorded r] of one qubit."""
        if self.model is None:
            return np.eye(2)
        err = self.model._local_readout_errors.get((qubit,), self.model._default_readout_error)
        if err is not None and err.number_of_qubits != 1:
            raise TargetError("the noise model has a correlated readout error; the fold needs single-qubit ones")
        return np.eye(2) if err is None else np.asarray(err.probabilities, dtype=float)

    def error_ptm(self, name: str, phys: tuple, loc: tuple, k: int):
        """Transfer matrix of the error after (name, phys) acting on local qubits ``loc``."""
        def build():
            err = self.error(name, phys)
            return None if err is None else embed(err.to_quantumchannel(), loc, k)

        return self.cached(("error", name, phys, loc, k), build)

    def cached(self, key, build):
        """``build()``, once per key (gates recur across segments and layers)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


def restricted(noise_model, qubits):
    """The same NoiseModel keeping only the errors on ``qubits``: identical for a circuit that
    touches no other qubit (Aer draws the same random numbers), and Aer converts a 133-qubit
    device model anew on every run, which costs seconds; the restricted one costs milliseconds."""
    from qiskit_aer.noise import NoiseModel

    NoiseTables(noise_model)  # checks the tables exist
    keep = set(qubits)
    out = NoiseModel(basis_gates=noise_model.basis_gates)
    for name, errors in noise_model._local_quantum_errors.items():
        for qargs, err in errors.items():
            if set(qargs) <= keep:
                out.add_quantum_error(err, name, qargs)
    for name, err in noise_model._default_quantum_errors.items():
        out.add_all_qubit_quantum_error(err, name)
    for qargs, err in noise_model._local_readout_errors.items():
        if set(qargs) <= keep:
            out.add_readout_error(err, qargs)
    if noise_model._default_readout_error is not None:
        out.add_all_qubit_readout_error(noise_model._default_readout_error)
    for noise_pass in getattr(noise_model, "_custom_noise_passes", []):
        out._custom_noise_passes.append(noise_pass)
    return out


# --------------------------------------------------------------------------- Pauli algebra


_PAULI = (np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0]))


def paulis(k: int) -> np.ndarray:
    """P_a for a = a_0 + 4 a_1 + …, a_i the Pauli on qubit i (qubit 0 least significant, as in
    Qiskit's matrices): complex [4^k, 2^k, 2^k]."""
    out = []
    for labels in itertools.product(range(4), repeat=k):  # labels[0] is qubit k − 1
        m = np.array([[1.0 + 0j]])
        for a in labels:
            m = np.kron(m, _PAULI[a])
        out.append(m)
    # itertools varies the last label fastest: index = Σ labels[i] 4^(k−1−i), i.e. a_0 + 4 a_1 + …
    return np.array(out)


def ptm(superop_data: np.ndarray, k: int) -> np.ndarray:
    """R_ab = tr(P_a E(P_b)) / 2^k from E's column-stacking superoperator S:
    tr(P_a X) = conj(vec P_a) · vec X for Hermitian P_a, so R = conj(V) S Vᵀ / 2^k."""
    vec = paulis(k).transpose(0, 2, 1).reshape(4**k, -1)  # column-stacked vec of each P_a
    return np.real(np.conj(vec) @ superop_data @ vec.T) / 2**k


def embed(channel, loc: tuple, k: int) -> np.ndarray:
    """Transfer matrix on k qubits of ``channel`` (anything qiskit's SuperOp takes) on ``loc``."""
    from qiskit.quantum_info import Operator, SuperOp

    whole = SuperOp(Operator(np.eye(2**k))).compose(SuperOp(channel), qargs=list(loc))
    return ptm(whole.data, k)


def _kraus_ptm(kraus: list, loc: tuple, k: int) -> np.ndarray:
    from qiskit.quantum_info import Kraus

    return embed(Kraus([np.asarray(m, dtype=complex) for m in kraus]), loc, k)


_PROJECT = ([[1, 0], [0, 0]], [[0, 0], [0, 1]])
_RESET = ([[1, 0], [0, 0]], [[0, 1], [0, 0]])


# --------------------------------------------------------------------------- segments


@dataclass
class _Inst:
    op: object
    qubits: tuple
    clbits: tuple


def segments(isa) -> list[tuple[tuple, list]]:
    """(physical qubits, instructions) of each independent piece of ``isa`` (see the module)."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    epoch: dict = {}
    nodes, insts = [], []
    for ci in isa.data:
        name = ci.operation.name
        if name in CONTROL_FLOW:
            raise TargetError(f"a circuit with {name} cannot be folded: fold layerwise programs")
        if name == "delay":
            raise TargetError("a scheduled circuit (delay) cannot be folded: transpile without scheduling")
        if name == "barrier":
            continue
        inst = _Inst(ci.operation, tuple(isa.find_bit(q).index for q in ci.qubits),
                     tuple(isa.find_bit(c).index for c in ci.clbits))
        if name == "reset":
            epoch[inst.qubits[0]] = epoch.get(inst.qubits[0], 0) + 1
        ns = [(q, epoch.get(q, 0)) for q in inst.qubits]
        for u, v in zip(ns, ns[1:]):
            parent[find(u)] = find(v)
        nodes.append(ns[0])
        insts.append(inst)
    groups: dict = {}
    for inst, node in zip(insts, nodes):
        groups.setdefault(find(node), []).append(inst)
    return [(tuple(sorted({q for i in lst for q in i.qubits})), lst) for lst in groups.values()]


def fold_circuit(isa, noise_model) -> list[BitFold]:
    """P(bit = 1 | θ) of every measured bit of ``isa`` under ``noise_model`` (None: noiseless),
    in bit order."""
    tables = noise_model if isinstance(noise_model, NoiseTables) else NoiseTables(noise_model)
    out = []
    for qubits, seg in segments(isa):
        clbits = [c for inst in seg if inst.op.name == "measure" for c in inst.clbits]
        if not clbits:
            continue
        if len(clbits) > 1:
            raise TargetError(f"qubits {qubits} measure {len(clbits)} bits in one segment; the fold needs one")
        params = {p for inst in seg for x in inst.op.params if hasattr(x, "parameters") for p in x.parameters}
        if len(params) > 1:
            raise TargetError(f"qubits {qubits} depend on several parameters {sorted(p.name for p in params)}")
        param = next(iter(params), None)
        _check_degree(seg, param)
        p = np.array([_p_one(seg, qubits, tables, {param: t} if param is not None else {}) for t in ANGLES])
        alpha = float(p.mean())
        beta = float(2 / 3 * np.cos(ANGLES) @ p) if param is not None else 0.0
        gamma = float(2 / 3 * np.sin(ANGLES) @ p) if param is not None else 0.0
        out.append(BitFold(clbits[0], None if param is None else param.name, alpha, beta, gamma, qubits))
    return sorted(out, key=lambda f: f.bit)


def _check_degree(seg, param) -> None:
    """θ must enter once, as the angle of one rotation with unit slope (degree 1)."""
    if param is None:
        return
    slope = 0.0
    for inst in seg:
        for x in inst.op.params:
            if hasattr(x, "parameters") and param in x.parameters:
                if inst.op.name not in ROTATIONS:
                    raise TargetError(f"parameter {param.name} enters a {inst.op.name} gate; the fold needs rotations")
                slope += abs(float(x.gradient(param)))
    if not math.isclose(slope, 1.0, abs_tol=1e-12):
        raise TargetError(f"parameter {param.name} enters with total slope {slope:g}; the fold needs it once")


def _p_one(seg, qubits: tuple, tables: NoiseTables, binding: dict) -> float:
    """P(measured bit = 1) of one segment at one binding of its parameter."""
    k = len(qubits)
    if k > 3:
        raise TargetError(f"a segment of {k} qubits {qubits}: units are single qubits or pairs")
    local = {q: i for i, q in enumerate(qubits)}
    v = np.zeros(4**k)
    for a in range(4**k):  # |0…0⟩: tr(P_a ρ) = 1 for products of I and Z, else 0
        v[a] = float(all((a >> (2 * i)) & 3 in (0, 3) for i in range(k)))
    branches = {None: v}  # recorded bit (None before the measurement) → unnormalised Pauli vector
    for inst in seg:
        name, loc = inst.op.name, tuple(local[q] for q in inst.qubits)
        if name == "measure":
            before = tables.error_ptm("measure", inst.qubits, loc, k)  # Aer: before the measurement
            confusion = tables.readout(inst.qubits[0])
            project = [tables.cached(("project", s, loc, k), lambda s=s: _kraus_ptm([_PROJECT[s]], loc, k))
                       for s in (0, 1)]
            (v,) = branches.values()
            if before is not None:
                v = before @ v
            collapsed = [project[s] @ v for s in (0, 1)]
            branches = {r: sum(confusion[s, r] * collapsed[s] for s in (0, 1)) for r in (0, 1)}
            continue
        if name == "reset":
            channel = tables.cached(("reset", loc, k), lambda: _kraus_ptm(list(_RESET), loc, k))
        else:
            op = inst.op
            if op.is_parameterized():
                op = op.copy()
                op.params = [float(x.bind(binding)) if hasattr(x, "bind") else x for x in op.params]
            channel = tables.cached(("gate", name, tuple(map(float, op.params)), loc, k), lambda: embed(op, loc, k))
        noise = tables.error_ptm(name, inst.qubits, loc, k)
        if noise is not None:
            channel = noise @ channel
        branches = {r: channel @ w for r, w in branches.items()}
    return float(branches[1][0]) if 1 in branches else 0.0
