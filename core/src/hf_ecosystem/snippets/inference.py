"""The Try screen's snippet: one input through a model, with hf_ecosystem and with transformers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hf_ecosystem.inference.generation import DEFAULT_MAX_NEW_TOKENS as MAX_NEW_TOKENS
from hf_ecosystem.inference.registry import get_task
from hf_ecosystem.inference.seq2seq import DEFAULT_MAX_NEW_TOKENS as SEQ2SEQ_MAX_NEW_TOKENS
from hf_ecosystem.snippets.render import assign, lines, literal
from hf_ecosystem.snippets.types import Snippet, TryCode

# How a pipeline takes each input kind's fields: (positional field, {keyword: field}).
PIPELINE_CALLS: dict[str, tuple[str, dict[str, str]]] = {
    "text": ("text", {}),
    "text+labels": ("text", {"candidate_labels": "labels"}),
    "image": ("image", {}),
    "image+labels": ("image", {"candidate_labels": "labels"}),
}


def _fields(request: TryCode, names: tuple[str, ...]) -> dict[str, Any]:
    given = request.inputs
    if isinstance(given, Mapping):
        return {name: given.get(name, "") for name in names}
    return {names[0]: given}


def try_snippet(request: TryCode) -> Snippet:
    """Run the screen's input through the model."""
    spec = get_task(request.task)
    fields = _fields(request, spec.input_fields)
    value: Any = fields[spec.input_fields[0]] if len(fields) == 1 else fields
    ecosystem = lines(
        "from hf_ecosystem import create_pipeline",
        "",
        assign("model", "create_pipeline", spec.name, request.repo_id),
        f"print(model({literal(value)}))",
    )
    repo = literal(request.repo_id)
    body = _PLAIN.get(spec.name)
    if body is not None:
        plain = body(repo, fields)
    elif spec.input_kind == "audio":
        plain = _speech(repo, fields)
    else:
        plain = _pipeline(spec.pipeline_task or spec.name, repo, spec.input_kind, fields)
    return Snippet(f"Try {request.repo_id} ({spec.name})", ecosystem, plain)


def _pipeline(task: str, repo: str, kind: str, fields: dict[str, Any]) -> str:
    first, keywords = PIPELINE_CALLS.get(kind, (next(iter(fields)), {}))
    args = [literal(fields[first])]
    args += [f"{key}={literal(fields[name])}" for key, name in keywords.items()]
    if task == "text-generation":
        args.append(f"max_new_tokens={MAX_NEW_TOKENS}")  # as hf_ecosystem's default
    return lines(
        "from transformers import pipeline",
        "",
        f"model = pipeline({literal(task)}, model={repo})",
        f"print(model({', '.join(args)}))",
    )


def _speech(repo: str, fields: dict[str, Any]) -> str:
    return lines(
        "import librosa",
        "from transformers import pipeline",
        "",
        f'model = pipeline("automatic-speech-recognition", model={repo})',
        "# an array, not a path: a path needs ffmpeg",
        f"audio, _ = librosa.load({literal(fields['audio'])}, sr=16000)",
        "print(model(audio))",
    )


def _similarity(repo: str, fields: dict[str, Any]) -> str:
    return lines(
        "import torch",
        "from transformers import AutoModel, AutoTokenizer",
        "",
        f"tokenizer = AutoTokenizer.from_pretrained({repo})",
        f"model = AutoModel.from_pretrained({repo})",
        f"batch = tokenizer([{literal(fields['text'])}, {literal(fields['text_pair'])}],",
        "                  padding=True, truncation=True, return_tensors='pt')",
        "with torch.no_grad():",
        "    hidden = model(**batch).last_hidden_state",
        "mask = batch['attention_mask'].unsqueeze(-1)",
        "embeddings = (hidden * mask).sum(1) / mask.sum(1)  # mean pooling",
        "score = torch.nn.functional.cosine_similarity(embeddings[0], embeddings[1], dim=0)",
        "print({'score': float(score)})",
    )


def _seq2seq(repo: str, fields: dict[str, Any]) -> str:
    return lines(
        "from transformers import AutoModelForSeq2SeqLM, AutoTokenizer",
        "",
        "# transformers 5 has no summarization/translation pipeline: generate() does the work",
        f"tokenizer = AutoTokenizer.from_pretrained({repo})",
        f"model = AutoModelForSeq2SeqLM.from_pretrained({repo})",
        f"batch = tokenizer({literal(fields['text'])}, truncation=True, return_tensors='pt')",
        f"output = model.generate(**batch, max_new_tokens={SEQ2SEQ_MAX_NEW_TOKENS})",
        "print({'text': tokenizer.decode(output[0], skip_special_tokens=True)})",
    )


def _question_answering(repo: str, fields: dict[str, Any]) -> str:
    return lines(
        "import torch",
        "from transformers import AutoModelForQuestionAnswering, AutoTokenizer",
        "",
        "# transformers 5 has no question-answering pipeline: the start/end logits give the span",
        f"tokenizer = AutoTokenizer.from_pretrained({repo})",
        f"model = AutoModelForQuestionAnswering.from_pretrained({repo})",
        f"question, context = {literal(fields['question'])}, {literal(fields['context'])}",
        "batch = tokenizer(question, context, truncation=True, return_tensors='pt')",
        "with torch.no_grad():",
        "    output = model(**batch)",
        "start = int(output.start_logits[0].argmax())",
        "end = max(start, int(output.end_logits[0].argmax()))",
        "span = batch['input_ids'][0][start : end + 1]",
        "answer = tokenizer.decode(span, skip_special_tokens=True)",
        "print({'answer': answer})",
    )


def _caption(repo: str, fields: dict[str, Any]) -> str:
    return lines(
        "from PIL import Image",
        "from transformers import pipeline",
        "",
        "# transformers 5 captions through the image-text-to-text pipeline, given a prompt",
        f'model = pipeline("image-text-to-text", model={repo})',
        f"image = Image.open({literal(fields['image'])}).convert('RGB')",
        "print(model(images=image, text='a photo of'))",
    )


def _visual_question(repo: str, fields: dict[str, Any]) -> str:
    return lines(
        "import torch",
        "from PIL import Image",
        "from transformers import AutoModelForVisualQuestionAnswering, AutoProcessor",
        "",
        f"processor = AutoProcessor.from_pretrained({repo})",
        f"model = AutoModelForVisualQuestionAnswering.from_pretrained({repo})",
        f"image = Image.open({literal(fields['image'])}).convert('RGB')",
        f"batch = processor(image, {literal(fields['text'])}, return_tensors='pt')",
        "with torch.no_grad():",
        "    logits = model(**batch).logits",
        "print({'answer': model.config.id2label[int(logits[0].argmax())]})",
    )


_PLAIN: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "sentence-similarity": _similarity,
    "summarization": _seq2seq,
    "translation": _seq2seq,
    "question-answering": _question_answering,
    "image-to-text": _caption,
    "visual-question-answering": _visual_question,
}
