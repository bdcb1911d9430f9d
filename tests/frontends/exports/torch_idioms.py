"""PyTorch MLPs whose hidden sign is written in each idiom people use, for ``make_exports.py``.

Every hidden sign is one :class:`Binarize` module, so forward hooks read its input (the
pre-activation) and its output (the ±1 bits). Needs torch; the test suite never imports this.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

#: idiom → how the sign is written (the text goes into the README and inventory).
IDIOMS = {
    "where": "torch.where(x >= 0, 1.0, -1.0)",
    "where_int": "torch.where(x >= 0, 1, -1).to(x.dtype)  (integer literals give int64: a Cast follows)",
    "sign": "torch.sign(x)",
    "ste": "x + (torch.sign(x) - x).detach()",
    "htanh_ste": "h = F.hardtanh(x); h + (torch.sign(h) - h).detach()",
    "htanh_sign": "torch.sign(F.hardtanh(x))  (BinaryNet: Hardtanh, then the next layer binarizes its input)",
    "approx_sign": "Bi-Real/ReActNet BinaryActivation: sign(x).detach() - p(x).detach() + p(x), p piecewise quadratic",
}

#: kernel kind → what the Linear layers multiply by.
KERNELS = {
    "real": "float weights and bias (only the activations are binary)",
    "pm1": "±1: the latent weight binarized in the same idiom as the activations, no bias, BatchNorm1d after every Linear",
    "scaled": "mean|W| per output unit × sign(W) (XNOR/Bi-Real), clipped-weight STE, BatchNorm1d after every Linear",
}


def binarize(x: torch.Tensor, idiom: str) -> torch.Tensor:
    if idiom == "where":
        return torch.where(x >= 0, 1.0, -1.0)
    if idiom == "where_int":
        return torch.where(x >= 0, 1, -1).to(x.dtype)
    if idiom == "sign":
        return torch.sign(x)
    if idiom == "ste":
        return x + (torch.sign(x) - x).detach()
    if idiom == "htanh_ste":
        h = F.hardtanh(x)
        return h + (torch.sign(h) - h).detach()
    if idiom == "htanh_sign":
        return torch.sign(F.hardtanh(x))
    if idiom == "approx_sign":  # ReActNet's BinaryActivation, as published
        mask1, mask2, mask3 = (x < -1).type(torch.float32), (x < 0).type(torch.float32), (x < 1).type(torch.float32)
        out1 = -1 * mask1 + (x * x + 2 * x) * (1 - mask1)
        out2 = out1 * mask2 + (-x * x + 2 * x) * (1 - mask2)
        out3 = out2 * mask3 + 1 * (1 - mask3)
        return torch.sign(x).detach() - out3.detach() + out3
    raise ValueError(f"unknown idiom {idiom!r}")


def binary_kernel(w: torch.Tensor, idiom: str, kernel: str) -> torch.Tensor:
    if kernel == "real":
        return w
    if kernel == "scaled":  # Bi-Real/ReActNet HardBinaryConv, for a Linear
        scale = w.abs().mean(dim=1, keepdim=True).detach()
        clipped = torch.clamp(w, -1.0, 1.0)
        return (scale * torch.sign(w)).detach() - clipped.detach() + clipped
    return binarize(w, "sign" if idiom == "approx_sign" else idiom)


class Binarize(nn.Module):
    def __init__(self, idiom: str):
        super().__init__()
        self.idiom = idiom

    def forward(self, x):
        return binarize(x, self.idiom)


class IdiomMLP(nn.Module):
    """widths[0] → … → widths[-1]: Linear (→ BatchNorm1d) → sign on every hidden layer; the
    logits layer has a BatchNorm1d too when the kernels are binary (±1 sums tie otherwise)."""

    def __init__(self, idiom: str, kernel: str, widths=(64, 32, 16, 10)):
        super().__init__()
        self.idiom, self.kernel = idiom, kernel
        self.fc = nn.ModuleList(nn.Linear(a, b, bias=kernel == "real") for a, b in zip(widths[:-1], widths[1:]))
        self.bn = nn.ModuleList(nn.BatchNorm1d(b) for b in widths[1:]) if kernel != "real" else None
        self.act = nn.ModuleList(Binarize(idiom) for _ in widths[1:-1])

    def forward(self, x):
        for i, fc in enumerate(self.fc):
            x = F.linear(x, binary_kernel(fc.weight, self.idiom, self.kernel), fc.bias)
            if self.bn is not None:
                x = self.bn[i](x)
            if i < len(self.act):
                x = self.act[i](x)
        return x


class ReluBetweenSigns(nn.Module):
    """x → Linear → BN → sign → Linear+bias → ReLU → Linear → BN → sign → Linear → BN: a real
    ReLU of the first layer's bits feeds the second sign (classical work between measurements)."""

    def __init__(self, widths=(64, 12, 8, 8, 10)):
        super().__init__()
        a, h1, r, h2, out = widths
        self.fc1, self.bn1, self.act1 = nn.Linear(a, h1, bias=False), nn.BatchNorm1d(h1), Binarize("sign")
        self.mix = nn.Linear(h1, r)
        self.fc2, self.bn2, self.act2 = nn.Linear(r, h2, bias=False), nn.BatchNorm1d(h2), Binarize("sign")
        self.out, self.bn_out = nn.Linear(h2, out, bias=False), nn.BatchNorm1d(out)

    def forward(self, x):
        b1 = self.act1(self.bn1(F.linear(x, torch.sign(self.fc1.weight))))
        r = torch.relu(self.mix(b1))
        b2 = self.act2(self.bn2(self.fc2(r)))
        return self.bn_out(F.linear(b2, torch.sign(self.out.weight)))


class ResidualStream(nn.Module):
    """Bi-Real-style real residual stream: h₀ = BN(x W₀ᵀ); hₖ = hₖ₋₁ + BN(sign(hₖ₋₁) sign(Wₖ)ᵀ);
    logits = h_K W_outᵀ + b (the head reads the real stream, not bits)."""

    def __init__(self, n_in=64, width=16, blocks=2, n_out=10):
        super().__init__()
        self.stem, self.bn0 = nn.Linear(n_in, width, bias=False), nn.BatchNorm1d(width)
        self.fc = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(blocks))
        self.bn = nn.ModuleList(nn.BatchNorm1d(width) for _ in range(blocks))
        self.act = nn.ModuleList(Binarize("sign") for _ in range(blocks))
        self.head = nn.Linear(width, n_out)

    def forward(self, x):
        h = self.bn0(self.stem(x))
        for fc, bn, act in zip(self.fc, self.bn, self.act):
            h = h + bn(F.linear(act(h), torch.sign(fc.weight)))
        return self.head(h)


def torch_models():
    """name → (factory, idiom, kernel): the set ``make_exports.py`` writes (built after seeding)."""
    models = {}
    for idiom in ("where", "sign", "ste", "htanh_ste"):
        for kernel in ("real", "pm1"):
            models[f"torch_mlp_{idiom}_{kernel}"] = (lambda i=idiom, k=kernel: IdiomMLP(i, k), idiom, kernel)
    models["torch_mlp_where_int_real"] = (lambda: IdiomMLP("where_int", "real"), "where_int", "real")
    models["torch_mlp_htanh_sign_pm1"] = (lambda: IdiomMLP("htanh_sign", "pm1"), "htanh_sign", "pm1")
    models["torch_mlp_approx_sign_scaled"] = (lambda: IdiomMLP("approx_sign", "scaled"), "approx_sign", "scaled")
    models["torch_mlp_relu_between_signs"] = (ReluBetweenSigns, "sign", "pm1")
    models["torch_mlp_residual_stream"] = (ResidualStream, "sign", "pm1")
    return models
