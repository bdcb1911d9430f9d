"""Measuring a hidden layer in the fast sampler: uniform 24-bit words against thresholds.

Stateless activations (rotation, ancilla-reset) fire a neuron when its word is below
T = ⌈float32(P(1)) · 2²⁴⌉ (``thresholds``). The ancilla activation carries each neuron qubit's
real state (c₀, c₁) = (⟨0|ψ⟩, ⟨1|ψ⟩) from layer to layer and applies, per layer,

    R_y(θ − π r):   (c₀, c₁) ← (c₀ cos α − c₁ sin α,  c₀ sin α + c₁ cos α),  α = (θ − π r)/2,
                    where (cos α, sin α) = (cos θ/2, sin θ/2) if r = 0 else (sin θ/2, −cos θ/2);
    weak readout:   P(r' = 1) = (1 − f)/2 + f c₁²   (f = sin g; f = 1 on the last hidden layer);
    collapse:       (c₀, c₁) ← (k₀ c₀, k₁ c₁) / norm with (k₀, k₁) the diagonal of M_r'.

That is SPEC §2's Kraus update; ``reference`` evolves the neuron/ancilla circuit literally."""

from __future__ import annotations

import numpy as np

from .thresholds import ALWAYS, quantize


def fire(words, thresholds: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Bits (bool, into ``out``): word < threshold; ``words`` None means certain outcomes."""
    if words is None:
        return np.equal(thresholds, ALWAYS, out=out)
    return np.less(words, thresholds, out=out)


def half_angle(act, u, strict: bool = False):
    """(cos θ/2, sin θ/2), float32, of the rotation θ(u) = π σ_τ(u). At τ = 0, θ ∈ {0, π}: the
    pair is (1 − σ, σ) exactly, without trigonometry (cos(π/2) would leave 6e-17 behind)."""
    if act.quantumness == 0.0:
        sin_half = np.asarray(act.squash(u, strict=strict), dtype=np.float32)
        return 1 - sin_half, sin_half
    half = act.angle(u, strict=strict) / 2
    return np.cos(half).astype(np.float32), np.sin(half).astype(np.float32)


def rotate(c0, c1, last, cos_half, sin_half):
    """(c₀, c₁) after R_y(θ − π r): r = ``last`` (bool), θ/2 given by its cosine and sine."""
    cos_a = np.where(last, sin_half, cos_half)
    sin_a = np.where(last, -cos_half, sin_half)
    return c0 * cos_a - c1 * sin_a, c0 * sin_a + c1 * cos_a


def angle_law(cos_half, sin_half, noise):
    """P(1) of a neuron prepared afresh at angle θ and read out with ``noise`` (a NeuronNoise):
    cos θ = 1 − 2 sin²(θ/2), sin θ = 2 sin(θ/2) cos(θ/2)."""
    cos_theta = 1 - 2 * np.square(sin_half)
    sin_theta = 2 * sin_half * cos_half
    return noise.p_one(cos_theta, sin_theta)


def state_law(c0, c1, f: float, noise=None):
    """P(1) of a neuron in state (c₀, c₁) read out weakly at f = sin g (f = 1: projectively),
    or, with ``noise``, of a neuron prepared afresh at the state's angle φ (cos φ = c₀² − c₁²,
    sin φ = 2 c₀ c₁) and read out with that noise."""
    if noise is not None:
        return noise.p_one(np.square(c0) - np.square(c1), 2 * c0 * c1)
    p_one = np.square(c1)
    if f != 1.0:
        p_one *= np.float32(f)
        p_one += np.float32((1.0 - f) / 2.0)
    return p_one


def collapse(c0, c1, bits, kraus):
    """The normalized state M_r (c₀, c₁) after outcome r = ``bits`` (``kraus``: the diagonals
    ((k₀, k₁) of M_0, (k₀, k₁) of M_1))."""
    (k00, k01), (k10, k11) = kraus
    dtype = np.asarray(c0).dtype
    new0 = c0 * np.where(bits, dtype.type(k10), dtype.type(k00))
    new1 = c1 * np.where(bits, dtype.type(k11), dtype.type(k01))
    norm = np.sqrt(np.square(new0) + np.square(new1))
    return new0 / norm, new1 / norm


class CarriedState:
    """The ancilla activation's neuron qubits over one block of rows (samples × shots)."""

    def __init__(self, act, n_layers: int):
        self.act = act
        self.n_layers = n_layers
        self.kraus = act.kraus()
        self.c0 = self.c1 = self.last = None

    def reset(self):
        self.c0 = self.c1 = self.last = None

    def measure(self, k: int, cos_half, sin_half, words, out: np.ndarray, noise=None) -> np.ndarray:
        """Layer k's outcomes (bool, into ``out`` [rows..., width]) from the half angles θ/2 of
        its rotation, updating the carried state. With ``noise`` (a ``NeuronNoise``) the outcome
        law is the noisy one of a neuron prepared afresh at the carried state's angle, and the
        state is updated as the host of a layerwise program does: ideally, given the outcome."""
        shape = out.shape
        width = shape[-1]
        c0 = np.zeros(shape, dtype=np.float32)
        c0[...] = 1.0
        c1 = np.zeros(shape, dtype=np.float32)
        last = np.zeros(shape, dtype=bool)
        if self.c0 is not None:
            keep = min(width, self.c0.shape[-1])
            c0[..., :keep], c1[..., :keep] = self.c0[..., :keep], self.c1[..., :keep]
            last[..., :keep] = self.last[..., :keep]
        new0, new1 = rotate(c0, c1, last, cos_half, sin_half)
        projective = k == self.n_layers - 1
        f = 1.0 if projective else self.act.fidelity
        bits = fire(words, quantize(state_law(new0, new1, f, noise)), out)
        if not projective:
            self.c0, self.c1 = collapse(new0, new1, bits, self.kraus)
            self.last = bits.copy()
        return bits
