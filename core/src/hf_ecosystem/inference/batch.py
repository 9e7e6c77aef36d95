"""Batched inference over a file or folder: length-bucketed batches, input order kept, resumable.

Inputs are read from CSV / JSONL / Parquet (one column) or a folder of images or audio; outputs
go to JSONL or Parquet, one row per input in input order. Rows are processed sorted by token
length in batches bounded by a token budget (padding waste stays small), written as they finish
to a `.partial.jsonl` next to the output (each with its input index), and assembled in order at
the end — so a killed run resumes where it stopped. Text embeddings and classification run
straight on the model with pooling on the device; other tasks go through `create_pipeline`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.inference.errors import BadInputError
from hf_ecosystem.inference.results import BatchResult

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg"}
ProgressFn = Callable[[int, int], None]


def read_inputs(path: Path, column: str | None = None) -> list[Any]:
    """Every input in file order: a column's values, or the file paths of a folder."""
    from hf_ecosystem.safe_files import file_problem

    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.suffix.lower() in IMAGE_SUFFIXES | AUDIO_SUFFIXES
            and file_problem(p, root=path) is None  # a FIFO or a link out would hang or leak
        )
        if not files:
            raise BadInputError(f"No image or audio files in {path}")
        return [str(p) for p in files]
    problem = file_problem(path) if path.exists() else None
    if problem is not None:
        raise BadInputError(
            f"Cannot read {path}: {problem}", "Give a CSV, JSONL, Parquet or TXT file, or a folder."
        )
    suffix = path.suffix.lower()
    # pyarrow ships no type information: its modules are Any here, on purpose.
    table: Any
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            table = cast("Any", pq).read_table(path)
        elif suffix in (".jsonl", ".json"):
            from hf_ecosystem.safe_files import MAX_JSON_DEPTH, json_too_deep

            if json_too_deep(path):  # Arrow would crash the worker, not raise
                raise BadInputError(f"Cannot read {path.name}: nested over {MAX_JSON_DEPTH} levels")
            import pyarrow.json as pj

            table = cast("Any", pj).read_json(path)
        elif suffix in (".csv", ".tsv"):
            import pyarrow.csv

            pc: Any = pyarrow.csv
            delimiter = "\t" if suffix == ".tsv" else ","
            table = pc.read_csv(path, parse_options=pc.ParseOptions(delimiter=delimiter))
        elif suffix == ".txt":
            return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        else:
            raise BadInputError(
                f"Cannot read {path.name}: use CSV, JSONL, Parquet, TXT or a folder"
            )
    except BadInputError:
        raise
    except Exception as exc:  # pyarrow's errors name the line; keep its words
        raise BadInputError(f"Cannot read {path}: {exc}".splitlines()[0]) from exc
    names: list[str] = table.column_names
    name = column or ("text" if "text" in names else names[0] if len(names) == 1 else None)
    if name is None or name not in names:
        raise BadInputError(
            f"Column {column or 'text'!r} not in {path.name}", f"Columns: {', '.join(names)}."
        )
    return table.column(name).to_pylist()


def _partial_path(output: Path) -> Path:
    return output.with_name(output.name + ".partial.jsonl")


def _done_indices(partial: Path) -> dict[int, Any]:
    done: dict[int, Any] = {}
    if not partial.exists():
        return done
    with partial.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                row = json.loads(line)
            except ValueError:
                break  # a line cut by a kill: everything after it is recomputed
            done[int(row["index"])] = row["output"]
    return done


def length_batches(
    lengths: list[int], todo: list[int], *, max_batch: int, token_budget: int
) -> Iterator[list[int]]:
    """Indices sorted by length, cut into batches of at most `max_batch` and `token_budget`."""
    ordered = sorted(todo, key=lambda i: lengths[i])
    batch: list[int] = []
    for index in ordered:
        longest = lengths[index]  # sorted ascending: the newest item is the longest so far
        if batch and (len(batch) >= max_batch or longest * (len(batch) + 1) > token_budget):
            yield batch
            batch = []
        batch.append(index)
    if batch:
        yield batch


class _DirectTextModel:
    """Embeddings or class scores straight from the model: pooling on the device, arrays out."""

    def __init__(self, task: str, model: str, device: str | None, dtype: str | None = None) -> None:
        import torch
        from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

        from hf_ecosystem.inference.device import get_device
        from hf_ecosystem.inference.weights import load_kwargs

        safety = load_kwargs(model)  # before any weight is read: pickle-only is refused

        self.torch = torch
        self.task = task
        self.device = device or get_device()
        from hf_ecosystem.inference.loading import as_inference_error
        from hf_ecosystem.inference.quantization import load_options

        options = load_options(dtype, self.device)

        cls: Any = (
            AutoModelForSequenceClassification if task == "text-classification" else AutoModel
        )
        try:
            # transformers' from_pretrained signatures are partly untyped; the models are Any.
            self.tokenizer: Any = AutoTokenizer.from_pretrained(model, trust_remote_code=False)  # pyright: ignore[reportUnknownMemberType]
            loaded = cls.from_pretrained(model, **safety, **options)
            placed = loaded if "device_map" in options else loaded.to(self.device)
            self.model: Any = placed.eval()
        except (OSError, ValueError, RuntimeError) as exc:  # a remote-code model, a broken repo
            raise as_inference_error(exc, f"Could not load {model}") from exc

    def lengths(self, texts: list[str]) -> list[int]:
        encoded = self.tokenizer(texts, add_special_tokens=True, truncation=True)
        return [len(ids) for ids in encoded["input_ids"]]

    def run(self, texts: list[str]) -> list[Any]:
        torch = self.torch
        batch = self.tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.inference_mode():
            out = self.model(**batch)
            if self.task == "text-classification":
                probs = out.logits.float().softmax(-1).cpu().numpy()
                labels = self.model.config.id2label
                return [
                    [{"label": labels[int(j)], "score": float(row[j])} for j in row.argsort()[::-1]]
                    for row in probs
                ]
            mask = batch["attention_mask"].unsqueeze(-1).to(out.last_hidden_state.dtype)
            pooled = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            if self.task == "sentence-similarity":
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
            return pooled.float().cpu().numpy().tolist()


_DIRECT = {"feature-extraction", "sentence-similarity", "text-classification"}


def run_batch(
    task: str,
    model: str,
    input_path: Path,
    output_path: Path,
    *,
    column: str | None = None,
    batch_size: int = 32,
    token_budget: int = 8192,
    device: str | None = None,
    dtype: str | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> BatchResult:
    """Run `task` over every input; one output row per input, in input order."""
    inputs = read_inputs(input_path, column)
    partial = _partial_path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    done = _done_indices(partial)
    done = {i: v for i, v in done.items() if i < len(inputs)}
    resumed = len(done)
    todo = [i for i in range(len(inputs)) if i not in done]
    is_text = all(isinstance(x, str) for x in inputs)
    if task in _DIRECT and is_text:
        runner: Any = _DirectTextModel(task, model, device, dtype)
        lengths: list[int] = runner.lengths([str(x) for x in inputs]) if todo else []
        call: Callable[[list[Any]], list[Any]] = runner.run
    else:
        from hf_ecosystem.inference.pipelines import create_pipeline

        predictor = create_pipeline(task, model, device=device, dtype=dtype)
        lengths = [len(str(x)) // 4 + 1 if is_text else 1 for x in inputs]
        call = predictor
    batches = 0
    if progress:
        progress(resumed, len(inputs))
    # Rewrite the partial file with only its valid rows, so a torn last line cannot linger.
    with partial.open("w", encoding="utf-8") as handle:
        for index in sorted(done):
            handle.write(json.dumps({"index": index, "output": done[index]}) + "\n")
    with partial.open("a", encoding="utf-8") as handle:
        for batch in length_batches(lengths, todo, max_batch=batch_size, token_budget=token_budget):
            if cancel is not None and cancel.is_set():
                from hf_ecosystem.jobs.context import JobCancelled

                raise JobCancelled()
            outputs = call([inputs[i] for i in batch])
            for index, output in zip(batch, outputs, strict=True):
                done[index] = output
                handle.write(json.dumps({"index": index, "output": output}) + "\n")
            handle.flush()
            batches += 1
            if progress:
                progress(len(done), len(inputs))
    _write_output(output_path, inputs, done)
    partial.unlink(missing_ok=True)
    return BatchResult(str(output_path), len(inputs), len(todo), resumed, batches)


def _write_output(path: Path, inputs: list[Any], done: dict[int, Any]) -> None:
    rows = [{"index": i, "input": inputs[i], "output": done[i]} for i in range(len(inputs))]
    if path.suffix.lower() == ".parquet":
        import pyarrow
        import pyarrow.parquet

        pa: Any = pyarrow  # pyarrow ships no type information
        pq: Any = pyarrow.parquet
        table = pa.table(
            {
                "index": [r["index"] for r in rows],
                "input": [str(r["input"]) for r in rows],
                "output": [json.dumps(r["output"]) for r in rows],
            }
        )
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(table, tmp)  # a kill mid-write leaves the .tmp, never a torn output
        tmp.replace(path)
        return
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    tmp.replace(path)
