"""Writes the real PyTorch and Brevitas ONNX exports in this folder, a reference ``.npz`` per
model (fixed inputs, PyTorch's logits and hidden signs), ``inventory.json`` and the README table.

Needs torch, brevitas, onnxscript, onnxoptimizer, onnxruntime, qonnx and scikit-learn — none of
which the test suite needs. Set-up and run (see README.md):

    python3.11 -m venv /work/venvs/torch
    /work/venvs/torch/bin/pip install torch==2.13.0 brevitas==0.13.4 onnxoptimizer onnxscript \
        onnxruntime qonnx scikit-learn
    /work/venvs/torch/bin/python tests/frontends/exports/make_exports.py
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata as md
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import brevitas_models  # noqa: E402
import export_steps as steps  # noqa: E402
import torch_idioms  # noqa: E402

N_REF = 50
FASHION = Path("/usr/share/datasets/fashion-mnist")
PACKAGES = ("torch", "brevitas", "onnx", "onnxscript", "onnxruntime", "onnxoptimizer", "qonnx", "numpy")


def digits():
    """sklearn's digits as bnn2q reads them (pixel/8 − 1), flattened: calibration = the train
    split, reference = the first 50 of the test split."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images.astype(np.float32) / 8.0 - 1.0).reshape(len(d.images), 64)
    return x[:1437], x[1437:1437 + N_REF], d.target[1437:1437 + N_REF].astype(np.int64)


def _idx(name):
    data = gzip.open(FASHION / name, "rb").read()
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def fashion():
    """Debian's Fashion-MNIST in [0, 1] as Brevitas' TFC reads it, [N, 1, 28, 28]."""
    xtr, xte = _idx("train-images-idx3-ubyte.gz"), _idx("t10k-images-idx3-ubyte.gz")
    f = lambda a: (a.astype(np.float32) / 255.0)[:, None]  # noqa: E731
    return f(xtr[:1000]), f(xte[:N_REF]), _idx("t10k-labels-idx1-ubyte.gz")[:N_REF].astype(np.int64)


def smooth_images(rng, n):
    """CIFAR-sized RGB images in [0, 1] on the k/255 grid: bilinear 6×6 colour fields plus noise."""
    low = torch.from_numpy(rng.random((n, 3, 6, 6)).astype(np.float32))
    up = torch.nn.functional.interpolate(low, size=(32, 32), mode="bilinear", align_corners=True).numpy()
    img = np.clip(up + 0.08 * rng.normal(size=up.shape), 0, 1)
    return (np.round(img * 255) / 255).astype(np.float32)


def check(name, got, logits):
    diff = float(np.abs(got - logits).max())
    agree = int((got.argmax(1) == logits.argmax(1)).sum())
    print(f"    {name}: max |Δlogit| {diff:.2e}, argmax {agree}/{len(logits)}")
    return {"max_abs_logit_diff": diff, "argmax_agree": f"{agree}/{len(logits)}"}


def min_margins(ref) -> list[float]:
    """Per hidden sign, the smallest |pre-activation| over all reference samples and units."""
    return [float(ref[f"margin{k}"].min()) for k in range(len([k for k in ref if k.startswith("margin")]))]


def torch_mlps(out: Path, seed: int):
    xcal, xref, y = digits()
    entries = []
    for k, (name, (factory, idiom, kernel)) in enumerate(torch_idioms.torch_models().items()):
        print(name)
        torch.manual_seed(seed + k)
        model = factory()
        steps.redraw_batchnorms(model, torch.from_numpy(xcal), np.random.default_rng(seed + k))
        signs = [m for m in model.modules() if isinstance(m, torch_idioms.Binarize)]
        logits, pairs = steps.forward_with_signs(model, torch.from_numpy(xref), signs)
        ref = {"x": xref, "y": y, "logits": logits, "pred": logits.argmax(1), **steps.sign_arrays(pairs, keep_pre=True)}
        for exporter, dyn_batch in (("ts", True), ("dynamo", False)):
            path = out / f"{name}.{exporter}.onnx"
            if exporter == "ts":
                steps.export_torchscript(model, torch.from_numpy(xref[:2]), path)
            else:
                steps.export_dynamo(model, torch.from_numpy(xref[:1]), path)
            ref[f"logits_ort_{exporter}"] = steps.ort_logits(path, xref)
            entries.append({
                "file": path.name, "reference": f"{name}.npz", "model": type(model).__name__, "source": "torch",
                "exporter": "torch.onnx.export(dynamo=False) (TorchScript)" if exporter == "ts"
                else "torch.onnx.export(dynamo=True, external_data=False)",
                "idiom": idiom, "idiom_code": torch_idioms.IDIOMS[idiom], "kernel": kernel,
                "kernel_code": torch_idioms.KERNELS[kernel], "batch": "dynamic (N)" if dyn_batch else "fixed at 1",
                "input": "digits test split [1437:1487], x = pixel/8 − 1, shape [N, 64]",
                "hidden_signs": [int(np.prod(p.shape[1:])) for p, _ in pairs], "min_margins": min_margins(ref),
                **steps.describe(path),
                "onnxruntime_vs_torch": check(f"{exporter} onnxruntime", ref[f"logits_ort_{exporter}"], logits),
            })
        np.savez_compressed(out / f"{name}.npz", **ref)
    return entries


def brevitas_exports(out: Path, seed: int, full_cnv: bool):
    from brevitas.export import export_qonnx

    names = ["tfc_1w1a", "cnv_1w1a_narrow"] + (["cnv_1w1a"] if full_cnv else [])
    entries = []
    for k, name in enumerate(names):
        print(f"brevitas_{name}")
        rng = np.random.default_rng(seed + 100 + k)
        model = brevitas_models.build(name, seed + 100 + k)
        if name.startswith("tfc"):
            xcal, xref, y = fashion()
            source = "Fashion-MNIST (Debian dataset-fashion-mnist) t10k[:50], pixel/255, shape [1, 1, 28, 28]"
        else:
            xcal, xref, y = smooth_images(rng, 300), smooth_images(rng, N_REF), None
            source = "seeded smooth RGB images on the k/255 grid (make_exports.smooth_images), shape [1, 3, 32, 32]"
        steps.redraw_batchnorms(model, torch.from_numpy(xcal), rng)
        quants = brevitas_models.act_quantizers(model)
        multibit = [m for _, m in quants if brevitas_models.bit_width(m) > 1]
        signs = [m for _, m in quants if brevitas_models.bit_width(m) == 1]
        logits, pairs = steps.forward_with_signs(model, torch.from_numpy(xref), multibit + signs)
        ref = {"x": xref, "logits": logits, "pred": logits.argmax(1)}
        if y is not None:
            ref["y"] = y
        if multibit:  # Brevitas CNV's 8-bit input quantizer: integer codes × 2⁻⁷
            scale = float(multibit[0].act_quant.scale().item())
            ref["input_quant_codes"] = np.rint(pairs[0][1] / scale).astype(np.int8)
            ref["input_quant_scale"] = np.float32(scale)
            pairs = pairs[1:]
        ref.update(steps.sign_arrays(pairs, keep_pre=name.startswith("tfc"), n_signs=None if name.startswith("tfc") else 10))
        stem = f"brevitas_{name}"
        files = []
        for exporter in ("dynamo", "ts"):
            if name == "cnv_1w1a" and exporter == "ts":
                continue  # the full CNV once (6 MB): Brevitas' default path only
            path = out / f"{stem}.{exporter}.onnx"
            kw = {} if exporter == "dynamo" else {"dynamo": False}
            export_qonnx(model, input_t=torch.from_numpy(xref[:1]), export_path=str(path), **kw)
            leftover = path.with_name(path.name + ".data")  # torch's external data; Brevitas re-saves inline
            if leftover.exists():
                assert not steps.describe(path)["external_data"], f"{path.name} still refers to {leftover.name}"
                leftover.unlink()
            files.append((path, exporter, False))
            if name != "cnv_1w1a":
                clean = out / f"{stem}.{exporter}.clean.onnx"
                steps.qonnx_clean(path, clean)
                files.append((clean, exporter, True))
        for path, exporter, cleaned in files:
            key = "logits_qonnx_" + path.name.removeprefix(stem + ".").removesuffix(".onnx").replace(".", "_")
            try:
                ref[key] = steps.qonnx_logits(path, xref)
                result = check(f"{path.name} qonnx", ref[key], logits)
            except Exception as exc:  # noqa: BLE001 — recorded, not fatal: the npz still has Brevitas' own logits
                result = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
                print(f"    {path.name} qonnx: {result['error']}")
            entries.append({
                "file": path.name, "reference": f"{stem}.npz", "model": f"brevitas_examples.bnn_pynq {name.upper()}",
                "source": "brevitas",
                "exporter": ("brevitas.export.export_qonnx (default: dynamo=True with torch ≥ 2.9)" if exporter == "dynamo"
                             else "brevitas.export.export_qonnx(dynamo=False) (TorchScript)")
                + (" → qonnx.util.cleanup.cleanup" if cleaned else ""),
                "idiom": "BipolarQuant", "kernel": "BipolarQuant(latent W)",
                "batch": "fixed at 1", "input": source,
                "input_quantizer": "8-bit Quant (scale 2^-7, signed, not narrow) on 2x − 1" if multibit else "BipolarQuant on 2x − 1",
                "hidden_signs": [int(np.prod(p.shape[1:])) for p, _ in pairs], "min_margins": min_margins(ref),
                **steps.describe(path), "qonnx_execute_onnx_vs_brevitas": result,
            })
        np.savez_compressed(out / f"{stem}.npz", **ref)
    return entries


def _label(e) -> str:
    variant = e["file"].split(".")[1]
    if e["source"] == "torch":
        text = {"ts": "torch TorchScript, batch N", "dynamo": "torch dynamo, batch 1"}[variant]
    else:
        text = {"ts": "export_qonnx(dynamo=False)", "dynamo": "export_qonnx() (dynamo)"}[variant]
    return text + (" + qonnx cleanup" if ".clean." in e["file"] else "")


def render_readme(out: Path, entries) -> None:
    """The per-file table of README.md, between its two markers, from the inventory."""
    readme = out / "README.md"
    head, mark, rest = readme.read_text().partition("<!-- table -->")
    _, _, tail = rest.partition("<!-- /table -->")
    rows = ["| file | exporter | idiom / kernel | ops (Counter of op_type) | opset | KiB (zlib) |",
            "| --- | --- | --- | --- | --- | --- |"]
    for e in entries:
        ops = ", ".join(f"{op} {n}" for op, n in e["ops"].items())
        opset = ", ".join(f"{d} {v}" for d, v in e["opset_imports"].items())
        rows.append(f"| `{e['file']}` | {_label(e)} | {e['idiom']} / {e['kernel']} | {ops} | {opset} "
                    f"| {e['bytes'] / 1024:.0f} ({e['zlib_bytes'] / 1024:.0f}) |")
    readme.write_text(head + mark + "\n" + "\n".join(rows) + "\n<!-- /table -->" + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-full-cnv", action="store_true", help="skip the 6 MB full-width CNV_1W1A")
    ap.add_argument("--readme-only", action="store_true", help="re-render README's table from inventory.json")
    args = ap.parse_args()
    if args.readme_only:
        return render_readme(args.out, json.loads((args.out / "inventory.json").read_text())["files"])
    warnings.filterwarnings("ignore")
    entries = torch_mlps(args.out, args.seed) + brevitas_exports(args.out, args.seed, not args.no_full_cnv)
    inventory = {"versions": {p: md.version(p) for p in PACKAGES}, "python": sys.version.split()[0],
                 "seed": args.seed, "command": "python tests/frontends/exports/make_exports.py", "files": entries}
    (args.out / "inventory.json").write_text(json.dumps(inventory, indent=1, ensure_ascii=False) + "\n")
    if (args.out / "README.md").exists():
        render_readme(args.out, entries)


if __name__ == "__main__":
    main()
