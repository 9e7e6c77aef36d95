"""The Evaluate form's snippet: the evaluate job launched from Python, and the same scores with
transformers, datasets and the metric libraries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hf_ecosystem.snippets.render import assign, lines, literal
from hf_ecosystem.snippets.types import EvaluateCode, Snippet

SPLIT_ORDER = ("test", "validation", "train")  # the job's default: the first the dataset has


def job_lines(kind: str, params: Mapping[str, Any]) -> list[str]:
    """Launch a job of `kind` with `params` and wait for its typed result."""
    return [
        "from hf_ecosystem.jobs.manager import JobManager",
        "from hf_ecosystem.jobs.results import job_result",
        "from hf_ecosystem.jobs.spec import JobSpec",
        "",
        "manager = JobManager()",
        f"record = manager.launch(JobSpec.create({literal(kind)}, **{literal(dict(params))}))",
        "record = manager.wait(record.id)  # the job runs in its own process",
        "print(record.status, record.error)",
        "print(job_result(record))",
    ]


def evaluate_snippet(request: EvaluateCode) -> Snippet:
    """Evaluate a model on a dataset as the form says."""
    p = request.params
    task = str(p.get("task", "text-classification"))
    title = f"Evaluate {p.get('model', '')} on {p.get('dataset', '')}"
    ecosystem = lines(*job_lines("evaluate", p))
    body = {"text-classification": _classification, "causal-lm": _perplexity}.get(task)
    if task in {"summarization", "translation"}:
        body = _generation
    if body is None:
        return Snippet(title, ecosystem, "", f"No plain-libraries variant for {task!r}.")
    return Snippet(title, ecosystem, lines(*_rows(p), *body(p)))


def _rows(p: Mapping[str, Any]) -> list[str]:
    data_args = (p["dataset"], p["dataset_config"]) if p.get("dataset_config") else (p["dataset"],)
    pick = (
        f"split = {literal(p['split'])}"
        if p.get("split")
        else f"split = next(s for s in {literal(list(SPLIT_ORDER))} if s in data)"
    )
    out = ["from datasets import load_dataset", "", assign("data", "load_dataset", *data_args),
           pick, "rows = data[split]"]  # fmt: skip
    if p.get("max_samples"):
        out.append(f"rows = rows.select(range(min({literal(p['max_samples'])}, len(rows))))")
    out.append(f"texts = list(rows[{literal(p.get('text_column', 'text'))}])")
    return out


def _classification(p: Mapping[str, Any]) -> list[str]:
    label = literal(p.get("label_column", "label"))
    batch = literal(p.get("batch_size", 16))
    return [
        "from sklearn.metrics import classification_report",
        "from transformers import pipeline",
        "",
        f"model = pipeline('text-classification', model={literal(p['model'])})",
        f"outputs = model(texts, batch_size={batch}, truncation=True)",
        "predictions = [out['label'] for out in outputs]",
        f"feature = rows.features[{label}]",
        "named = hasattr(feature, 'names')  # a ClassLabel: numbers stand for names",
        f"truth = [feature.int2str(v) if named else str(v) for v in rows[{label}]]",
        "print(classification_report(truth, predictions, zero_division=0))",
    ]


def _generation(p: Mapping[str, Any]) -> list[str]:
    target = literal(p.get("target_column", "summary"))
    batch = literal(p.get("batch_size", 16))
    if p.get("task") == "translation":
        score = [
            "import sacrebleu",
            "print(sacrebleu.corpus_bleu(outputs, [references]).score)",
        ]
    else:
        score = [
            "from rouge_score import rouge_scorer",
            "scorer = rouge_scorer.RougeScorer(['rouge1', 'rouge2', 'rougeL'], use_stemmer=True)",
            "scores = [scorer.score(r, o)['rougeL'].fmeasure for r, o in zip(references, outputs)]",
            "print({'rougeL': sum(scores) / len(scores)})",
        ]
    return [
        "from transformers import AutoModelForSeq2SeqLM, AutoTokenizer",
        "",
        f"tokenizer = AutoTokenizer.from_pretrained({literal(p['model'])})",
        f"model = AutoModelForSeq2SeqLM.from_pretrained({literal(p['model'])})",
        f"references = list(rows[{target}])",
        "outputs = []",
        f"for start in range(0, len(texts), {batch}):",
        f"    batch = tokenizer(texts[start : start + {batch}], padding=True, truncation=True,",
        "                      return_tensors='pt')",
        "    generated = model.generate(**batch, max_new_tokens=64)",
        "    outputs += tokenizer.batch_decode(generated, skip_special_tokens=True)",
        *score,
    ]


def _perplexity(p: Mapping[str, Any]) -> list[str]:
    return [
        "import math",
        "import torch",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        "",
        f"tokenizer = AutoTokenizer.from_pretrained({literal(p['model'])})",
        f"model = AutoModelForCausalLM.from_pretrained({literal(p['model'])}).eval()",
        "total_loss, total_tokens = 0.0, 0",
        "for text in texts:",
        "    ids = tokenizer(text, return_tensors='pt', truncation=True,",
        "                    max_length=model.config.max_position_embeddings).input_ids",
        "    if ids.shape[1] < 2:",
        "        continue",
        "    with torch.no_grad():",
        "        loss = model(ids, labels=ids).loss",
        "    total_loss += float(loss) * (ids.shape[1] - 1)",
        "    total_tokens += ids.shape[1] - 1",
        "print({'perplexity': math.exp(total_loss / total_tokens)})",
    ]
