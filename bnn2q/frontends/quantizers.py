"""Larq quantizers as bnn2q reads them: which ones are a neuron's sign, what a kernel becomes.

Input quantizers (a layer's ``input_quantizer``, an ``Activation``) must be one bit: the sign
family (``ste_sign``, ``approx_sign``, ``swish_sign``: y = ±1, sign(0) = +1) or the Heaviside
(``ste_heaviside``: s ∈ {0, 1}, firing on v > 0). Kernel quantizers are evaluated on the latent
kernel and must give ±scale per output channel (or nothing: a real kernel). Everything else is
refused with what the quantizer is."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import FrontendError

SIGNS = ("ste_sign", "approx_sign", "swish_sign")
HEAVISIDE = ("ste_heaviside",)
#: Quantizers that pass real values through (larq's NoOp marks a full-precision input).
PASS_THROUGH = ("no_op", "no_op_quantizer", "linear")
#: Relative tolerance on |W| = scale within one output unit (float32 rounding of a product).
RTOL = 1e-6


def quantizer_name(quantizer) -> str | None:
    """Larq's alias of a quantizer given as a function or an instance (SteSign → 'ste_sign')."""
    if quantizer is None:
        return None
    if isinstance(quantizer, str):
        return quantizer
    name = getattr(quantizer, "__name__", None)
    if name is None:
        cls = type(quantizer).__name__
        name = "".join("_" + c.lower() if c.isupper() else c for c in cls).lstrip("_")
    return {"do_re_fa": "dorefa_quantizer", "do_re_fa_quantizer": "dorefa_quantizer"}.get(name, name)


@dataclass(frozen=True)
class InputQuantizer:
    """A one-bit activation: spins (``bits`` False) or 0/1 bits; ``strict``: fires on v > 0."""

    name: str
    strict: bool = False
    bits: bool = False


def input_quantizer(quantizer, where: str) -> InputQuantizer | None:
    """The one-bit quantizer ``quantizer`` is, None for a pass-through, or a FrontendError."""
    name = quantizer_name(quantizer)
    if name is None or name in PASS_THROUGH:
        return None
    if name in SIGNS:
        return InputQuantizer(name)
    if name in HEAVISIDE:
        return InputQuantizer(name, strict=True, bits=True)
    raise FrontendError(f"{where} {name!r} is {_describe(quantizer, name)}; a neuron is one qubit "
                        f"with one bit: use {', '.join(SIGNS + HEAVISIDE)}")


def multibit_levels(quantizer) -> int | None:
    """n for a uniform quantizer onto the levels 0, 1/n, …, 1 (Larq's DoReFa in its activation
    mode: clip to [0, 1], then round(x n)/n), else None. bnn2q reads it as host computation —
    encoding the input before the first sign — and refuses it between two signs."""
    if quantizer_name(quantizer) != "dorefa_quantizer" or getattr(quantizer, "mode", "activations") != "activations":
        return None
    k = getattr(quantizer, "precision", None) or getattr(quantizer, "k_bit", None)
    return 2 ** int(k) - 1 if k else None


@dataclass(frozen=True)
class KernelQuantizer:
    """A layer's effective kernel: ``values`` (±1, or real when ``scale`` is None and the
    quantizer passes reals) and the positive per-output-channel ``scale`` (None when 1)."""

    values: np.ndarray
    scale: np.ndarray | None


def kernel_quantizer(quantizer, latent: np.ndarray, where: str) -> KernelQuantizer:
    """Apply ``quantizer`` to the latent kernel (output channels last) and split the result."""
    name = quantizer_name(quantizer)
    latent = np.asarray(latent, dtype=np.float64)
    if not np.all(np.isfinite(latent)):
        raise FrontendError(f"{where}: the kernel holds NaN or inf")
    if name is None or name in PASS_THROUGH:
        return KernelQuantizer(latent, None)
    import tensorflow as tf

    try:
        kernel = np.asarray(quantizer(tf.constant(latent, dtype=tf.float32)), dtype=np.float64)
    except Exception as exc:  # a quantizer that cannot run on its own kernel
        raise FrontendError(f"{where}: kernel_quantizer {name!r} failed on the kernel: {exc}") from None
    flat = np.abs(kernel.reshape(-1, kernel.shape[-1]))
    scale = flat.max(axis=0)
    if np.all(np.isfinite(kernel)) and np.all(scale > 0) and np.allclose(flat, scale, rtol=RTOL, atol=0):
        signs = np.where(kernel >= 0, 1.0, -1.0)
        return KernelQuantizer(signs, None if np.all(scale == 1.0) else scale)
    levels = len(np.unique(np.round(kernel, 6)))
    raise FrontendError(f"{where}: kernel_quantizer {name!r} gives {levels} distinct weight values "
                        f"({_describe(quantizer, name)}), not ±scale per output channel; use a sign "
                        "kernel quantizer (e.g. 'ste_sign') or none (real weights)")


def _describe(quantizer, name: str) -> str:
    if name in ("ste_tern", "ste_tern_quantizer"):
        return "a ternary quantizer (−1, 0, +1)"
    if name == "dorefa_quantizer":
        k = getattr(quantizer, "precision", None) or getattr(quantizer, "k_bit", None)
        return f"a {k}-bit DoReFa quantizer ({2 ** int(k)} levels)" if k else "a multi-bit DoReFa quantizer"
    if name == "magnitude_aware_sign":
        return "a sign scaled by the input's mean magnitude at run time, which no qubit measures"
    precision = getattr(quantizer, "precision", None)
    if precision and precision > 1:
        return f"a {precision}-bit quantizer"
    return "not a known one-bit quantizer"
