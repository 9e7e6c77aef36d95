"""The `evaluate` job: predictions on a dataset split, the task's metrics, files for the run.

Tasks: text-classification (forward passes, softmax confidences → report, confusion matrix,
errors), seq2seq (generate() → ROUGE, BLEU, chrF against the target column) and causal-lm
(sliding-window perplexity of the text column).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.evaluation import analysis as ev
from hf_ecosystem.evaluation import perplexity as ppl
from hf_ecosystem.evaluation.results import ConfusionCounts, EvaluationResult, GeneratedExample
from hf_ecosystem.jobs.context import JobContext

ERRORS_IN_RESULT = 200  # enough for a UI table; every error is in errors.csv
EXAMPLES_IN_RESULT = 20
_PREFERRED_SPLITS = ("test", "validation", "valid", "dev", "train")
_TARGET_GUESSES = ("target", "summary", "highlights", "translation")


def output_folder(ctx: JobContext) -> Path:
    """`<run dir>/evaluation/<job id>` for a run's evaluation, else the job's own folder."""
    run_id = ctx.spec.params.get("run")
    if not run_id:
        return ctx.work_dir / "evaluation"
    from hf_ecosystem.jobs.manager import JobManager
    from hf_ecosystem.training.runs import get_run, run_folder

    run = get_run(JobManager(ctx.settings), run_id)
    return run_folder(run, ctx.settings) / "evaluation" / ctx.job_id


def pick_split(source: Any, split: str | None, config: str | None) -> str:
    """The split asked for, else test, validation, … train, else the first."""
    if split:
        return source.split(split, config)[1].name
    names = [s.name for s in source.config(config).splits]
    return next((n for n in _PREFERRED_SPLITS if n in names), names[0])


def load_rows(ctx: JobContext) -> tuple[Any, str]:
    """The evaluation split (capped at max_samples) and its name."""
    from hf_ecosystem.data.load import load_data
    from hf_ecosystem.data.sources import resolve

    p = ctx.spec.params
    source = resolve(p["dataset"], settings=ctx.settings)
    split = pick_split(source, p.get("split"), p.get("dataset_config"))
    # One split, not streamed: a Dataset, whose select() has a partly untyped signature.
    data = cast("Any", load_data(source, split=split, config=p.get("dataset_config")))
    limit = p.get("max_samples")
    if limit is not None and limit < len(data):
        data = data.select(range(limit))
    if len(data) == 0:
        raise DataError(f"split {split!r} of {p['dataset']} has no rows")
    ctx.log(f"evaluating on {len(data)} rows of {p['dataset']} ({split})")
    return data, split


def column(data: Any, name: str, what: str) -> list[Any]:
    """A column's values; DataError naming the columns there are when it is missing."""
    if name not in data.column_names:
        raise DataError(
            f"the {what} column is not in the dataset",
            column=name,
            hint=f"Columns: {', '.join(data.column_names)}. Choose one with --{what}-column.",
        )
    return list(data[name])


def texts_of(values: Sequence[Any]) -> list[str]:
    """Cells as text (a missing cell is an empty string)."""
    return ["" if v is None else str(v) for v in values]


def load_context(ctx: JobContext, task: str) -> Any:
    """How to load the job's model: device (param or best), its dtype, safetensors only."""
    from hf_ecosystem.inference.device import get_device, get_device_map, resolve_dtype
    from hf_ecosystem.inference.jobs import resolve_model
    from hf_ecosystem.inference.loading import LoadContext
    from hf_ecosystem.inference.weights import check_weights, model_files, weights_bytes

    p = ctx.spec.params
    name = resolve_model(p["model"], ctx)
    files = model_files(name)
    use_safetensors = check_weights(name, files, allow_pickle=False)
    device = p.get("device") or get_device()
    ctx.log(f"loading {p['model']} on {device}")
    return LoadContext(
        task=task,
        model=name,
        device=device,
        dtype=resolve_dtype(None, device),
        device_map=get_device_map(weights_bytes(files, use_safetensors), device),
        trust_remote_code=False,
        use_safetensors=use_safetensors,
    )


def load_model(ctx: JobContext, task: str, build: Callable[[Any], Any]) -> Any:
    """`build(load_context)`, with library errors turned into ones a user can act on."""
    from hf_ecosystem.inference.loading import as_inference_error

    try:
        return build(load_context(ctx, task))
    except Exception as exc:
        raise as_inference_error(exc, f"Could not load {ctx.spec.params['model']}") from exc


def _auto(class_name: str) -> Callable[[Any], tuple[Any, Any]]:
    """A builder of (model, tokenizer) through a transformers AutoClass."""

    def build(load: Any) -> tuple[Any, Any]:
        import transformers

        return load.from_pretrained(getattr(transformers, class_name)), load.tokenizer()

    return build


def _reporter(ctx: JobContext, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        ctx.progress(done, total, unit="examples")
        ctx.check_cancelled()

    return report


# -- text classification ------------------------------------------------------------------------


def label_indices(values: Sequence[Any], feature: Any, labels: list[str]) -> list[int]:
    """Dataset labels as the model's class indices (names through label2id, ints as they are)."""
    names = getattr(feature, "names", None)  # a ClassLabel column stores ints for its names
    if names and set(names) <= set(labels):
        values = [names[v] if isinstance(v, int) and 0 <= v < len(names) else v for v in values]
    position = {name: i for i, name in enumerate(labels)}
    out: list[int] = []
    for row, value in enumerate(values):
        if isinstance(value, str) and value in position:
            out.append(position[value])
        elif (
            isinstance(value, int | float)
            and float(value).is_integer()
            and 0 <= value < len(labels)
        ):
            out.append(int(value))
        else:
            raise DataError(
                f"label {value!r} is not one of the model's labels",
                row=row,
                hint=f"The model's labels: {', '.join(labels)}.",
            )
    return out


def classify(
    model: Any, tokenizer: Any, texts: list[str], batch_size: int, max_length: int,
    report: Callable[[int], None],
) -> tuple[list[int], list[float]]:  # fmt: skip
    """Predicted class and its softmax probability for each text, in batches."""
    import torch

    predicted: list[int] = []
    confidence: list[float] = []
    device = next(model.parameters()).device
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(
            texts[start : start + batch_size],
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        ).to(device)
        with torch.inference_mode():
            probs = model(**batch).logits.float().softmax(dim=-1)
        best = probs.max(dim=-1)
        predicted += [int(i) for i in best.indices]
        confidence += [float(v) for v in best.values]
        report(len(predicted))
    return predicted, confidence


def evaluate_classification(ctx: JobContext, data: Any, out: Path) -> dict[str, Any]:
    """Report, confusion matrix and errors of a sequence classifier."""
    from hf_ecosystem.inference.loading import max_input_tokens

    p = ctx.spec.params
    texts = texts_of(column(data, p.get("text_column", "text"), "text"))
    label_name = p.get("label_column", "label")
    raw_labels = column(data, label_name, "label")
    model, tokenizer = load_model(
        ctx, "text-classification", _auto("AutoModelForSequenceClassification")
    )
    id2label = model.config.id2label
    labels = [str(id2label[i]) for i in range(len(id2label))]
    y_true = label_indices(raw_labels, data.features.get(label_name), labels)
    max_length = min(p.get("max_length") or 512, max_input_tokens(tokenizer, model.config))
    y_pred, conf = classify(
        model, tokenizer, texts, p.get("batch_size", 32), max_length, _reporter(ctx, len(texts))
    )
    report = ev.classification_report(y_true, y_pred, labels)
    matrix = ev.confusion(y_true, y_pred, labels)
    errors = ev.sort_errors(ev.error_analysis(texts, y_true, y_pred, conf, labels))
    files = {
        "report": ev.export_csv(ev.report_rows(report), out / "report.csv"),
        "errors": ev.export_csv(errors, out / "errors.csv"),
        "confusion-matrix": ev.confusion_png(matrix, out / "confusion.png"),
    }
    return {
        "metrics": report.flat(),
        "details": {"report": report.to_dict(), "confusion": matrix.to_dict()},
        "files": files,
        "extra": {
            "confusion": ConfusionCounts(
                tuple(matrix.labels), tuple(tuple(row) for row in matrix.counts)
            ),
            "errors": tuple(errors[:ERRORS_IN_RESULT]),
            "errors_total": len(errors),
        },
    }


# -- seq2seq ------------------------------------------------------------------------------------


def evaluate_seq2seq(ctx: JobContext, data: Any, out: Path) -> dict[str, Any]:
    """generate() over the text column; ROUGE, BLEU and chrF against the target column."""
    from hf_ecosystem.inference.seq2seq import Seq2SeqGenerator

    p = ctx.spec.params
    sources = texts_of(column(data, p.get("text_column", "text"), "text"))
    target = p.get("target_column") or next(
        (c for c in _TARGET_GUESSES if c in data.column_names), None
    )
    if target is None:
        raise DataError(
            "seq2seq evaluation needs a target column",
            hint=f"Columns: {', '.join(data.column_names)}. Name it with --target-column.",
        )
    references = texts_of(column(data, target, "target"))
    # With languages, the translation task sets the model's language tags or T5's prefix;
    # without, the summarization task applies the config's summarization prefix (T5), if any.
    languages = {"src_lang": p.get("src_lang"), "tgt_lang": p.get("tgt_lang")}
    task = "translation" if languages["tgt_lang"] else "summarization"
    if task == "translation":
        ctx.log(f"translation {languages['src_lang'] or '?'} → {languages['tgt_lang']}")
    else:
        languages = {}
    generator = load_model(ctx, task, Seq2SeqGenerator)
    batch_size = p.get("batch_size", 16)
    report = _reporter(ctx, len(sources))
    predictions: list[str] = []
    for start in range(0, len(sources), batch_size):
        outputs = generator.run(
            sources[start : start + batch_size],
            batch_size=batch_size,
            max_new_tokens=p.get("max_length"),
            **languages,
        )
        predictions += [o["text"] for o in outputs]
        report(len(predictions))
    ctx.log("scoring ROUGE, BLEU and chrF")
    rouge = ev.rouge_scores(predictions, references, confidence=p.get("confidence", 0.95))
    bleu = ev.bleu_score(predictions, references)
    chrf = ev.chrf_score(predictions, references)
    rows = [
        {"index": i, "source": s, "reference": r, "prediction": g}
        for i, (s, r, g) in enumerate(zip(sources, references, predictions, strict=True))
    ]
    return {
        "metrics": {**rouge.flat(), "bleu": bleu.score, "chrf": chrf.score},
        "details": {"rouge": rouge.to_dict(), "bleu": bleu.to_dict(), "chrf": chrf.to_dict()},
        "files": {"predictions": ev.export_csv(rows, out / "predictions.csv")},
        "extra": {
            "signatures": {"bleu": bleu.signature, "chrf": chrf.signature},
            "examples": tuple(
                GeneratedExample(i, s, r, g)
                for i, (s, r, g) in enumerate(zip(sources, references, predictions, strict=True))
                if i < EXAMPLES_IN_RESULT
            ),
        },
    }


# -- causal LM ----------------------------------------------------------------------------------


def evaluate_causal_lm(ctx: JobContext, data: Any, out: Path) -> dict[str, Any]:
    """Sliding-window perplexity of the text column."""
    p = ctx.spec.params
    texts = texts_of(column(data, p.get("text_column", "text"), "text"))
    model, tokenizer = load_model(ctx, "text-generation", _auto("AutoModelForCausalLM"))
    result = ppl.perplexity(
        model,
        tokenizer,
        texts,
        max_length=p.get("max_length"),
        stride=p.get("stride", 512),
        batch_size=p.get("batch_size", 8),
        progress=lambda done, total: ctx.progress(done, total, unit="examples"),
        cancel=ctx.cancel,
    )
    return {"metrics": result.flat(), "details": {"perplexity": result.to_dict()}, "files": {}}


RUNNERS: dict[str, Callable[[JobContext, Any, Path], dict[str, Any]]] = {
    "text-classification": evaluate_classification,
    "seq2seq": evaluate_seq2seq,
    "causal-lm": evaluate_causal_lm,
}


def run_evaluate_job(ctx: JobContext) -> EvaluationResult:
    """Evaluate the model on the data; write evaluation.json, metrics.csv and the task's files."""
    p = ctx.spec.params
    task = ev.normalize_task(p["task"])
    out = output_folder(ctx)
    data, split = load_rows(ctx)
    # The total is known now: the bar counts rows from here, not from the first batch.
    ctx.progress(0, len(data), unit="examples")
    ctx.check_cancelled()
    found = RUNNERS[task](ctx, data, out)
    metrics = {k: float(v) for k, v in found["metrics"].items()}
    ctx.metric(samples=len(data), **metrics)
    head: dict[str, Any] = {
        "task": task,
        "model": p["model"],
        "dataset": p["dataset"],
        "split": split,
        "samples": len(data),
        "run": p.get("run"),
        "metrics": metrics,
    }
    files = {
        "evaluation": ev.export_json({**head, **found["details"]}, out / "evaluation.json"),
        "metrics": ev.export_csv(metrics, out / "metrics.csv"),
        **found["files"],
    }
    for kind, path in files.items():
        ctx.artifact(path, kind=kind)
    return EvaluationResult(
        **head,
        output_dir=str(out),
        files={kind: str(path) for kind, path in files.items()},
        **found.get("extra", {}),
    )
