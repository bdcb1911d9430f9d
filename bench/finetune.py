"""(4) Quantum-aware fine-tuning epoch time against plain Larq training of the same model
(each in a fresh process, which also gives its peak memory)."""

from __future__ import annotations

from bench.measure import peak_memory
from bench.networks import DIGITS, FASHION, name

#: (network, training samples): the digits train split's size; 10,000 Fashion-MNIST-shaped.
CASES = [(DIGITS, 1437), (FASHION, 10_000)]
EPOCHS = 4


def finetune_epochs(quick: bool) -> list[dict]:
    rows = []
    for sizes, train_size in CASES[:1] if quick else CASES:
        plain = peak_memory("train", sizes=sizes, train_size=train_size, epochs=EPOCHS)
        tuned = peak_memory("train", sizes=sizes, train_size=train_size, epochs=EPOCHS, quantumness=0.5)
        failed = [m["error"] for m in (plain, tuned) if "error" in m]
        if failed:
            rows.append({"network": name(sizes), "train_samples": train_size, "note": f"failed: {failed[0]}"})
            continue
        rows.append({
            "network": name(sizes), "train_samples": train_size,
            "larq_epoch_s": plain["epoch_s"], "finetune_epoch_s": tuned["epoch_s"],
            "ratio": tuned["epoch_s"] / plain["epoch_s"],
            "larq_peak_rss_mib": plain["peak_rss_mib"], "finetune_peak_rss_mib": tuned["peak_rss_mib"],
        })
    return rows
