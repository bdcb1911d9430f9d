"""Brevitas' own BNN-PYNQ models (``brevitas_examples.bnn_pynq``), with seeded weights, for
``make_exports.py``. Needs torch and brevitas; the test suite never imports this."""

from __future__ import annotations

import contextlib

import numpy as np
import torch

#: Channel plan of a narrower CNV (same class, same layer sequence): every width ÷ 4.
NARROW_CNV = {
    "CNV_OUT_CH_POOL": [(16, False), (16, True), (32, False), (32, True), (64, False), (64, False)],
    "INTERMEDIATE_FC_FEATURES": [(64, 128), (128, 128)],
    "LAST_FC_IN_FEATURES": 128,
}


@contextlib.contextmanager
def _cnv_widths(widths):
    """Brevitas' CNV reads its channel plan from module constants; swap them while building."""
    from brevitas_examples.bnn_pynq.models import CNV as cnv_module

    saved = {k: getattr(cnv_module, k) for k in widths}
    try:
        for k, v in widths.items():
            setattr(cnv_module, k, v)
        yield
    finally:
        for k, v in saved.items():
            setattr(cnv_module, k, v)


def build(name: str, seed: int) -> torch.nn.Module:
    """``tfc_1w1a``, ``cnv_1w1a`` (Brevitas' config) or ``cnv_1w1a_narrow`` (÷4 widths)."""
    from brevitas_examples.bnn_pynq.models import model_with_cfg

    torch.manual_seed(seed)
    if name == "cnv_1w1a_narrow":
        with _cnv_widths(NARROW_CNV):
            model, _ = model_with_cfg("CNV_1W1A", pretrained=False)
    else:
        model, _ = model_with_cfg(name.upper(), pretrained=False)
    grid_latent_weights(model, np.random.default_rng(seed))
    return model.eval()


def grid_latent_weights(model, rng) -> None:
    """Latent weights uniform in [−1, 1] as Brevitas initialises them, drawn on the 2⁻⁷ grid and
    never 0: the exported floats then carry 8 significant bits, which git's zlib packs ~3× (the
    BipolarQuant of each weight is what the network computes; the grid changes nothing there)."""
    from brevitas.nn import QuantConv2d, QuantLinear

    for m in model.modules():
        if isinstance(m, (QuantConv2d, QuantLinear)):
            k = rng.integers(1, 129, size=tuple(m.weight.shape)) * rng.choice([-1, 1], size=tuple(m.weight.shape))
            m.weight.data.copy_(torch.from_numpy((k / 128.0).astype(np.float32)))


def act_quantizers(model):
    """(name, module) of every QuantIdentity, in forward order: the input quantizer first."""
    from brevitas.nn import QuantIdentity

    return [(n, m) for n, m in model.named_modules() if isinstance(m, QuantIdentity)]


def bit_width(module) -> int:
    return int(module.act_quant.bit_width().item())
