"""The inference task registry: what each task takes, an example input, how its output is shown.

Plain data only (no torch or transformers import), so the UI process can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hf_ecosystem.inference.errors import UnknownTaskError
from hf_ecosystem.tasks import inference_task_name

InputKind = Literal[
    "text",
    "text-pair",
    "question+context",
    "text+labels",
    "image",
    "image+text",
    "image+labels",
    "audio",
]
OutputKind = Literal[
    "label-scores",
    "entities",
    "answer-span",
    "generated-text",
    "embedding",
    "similarity",
    "transcription",
    "caption",
]
Backend = Literal["pipeline", "autoclass"]

# The fields a structured input carries, per input kind; single-field kinds also accept the
# bare value (a string, an image path, an audio path or array).
INPUT_FIELDS: dict[InputKind, tuple[str, ...]] = {
    "text": ("text",),
    "text-pair": ("text", "text_pair"),
    "question+context": ("question", "context"),
    "text+labels": ("text", "labels"),
    "image": ("image",),
    "image+text": ("image", "text"),
    "image+labels": ("image", "labels"),
    "audio": ("audio",),
}

# What one output looks like, per output kind (documentation shown to users and tests).
OUTPUT_SHAPES: dict[OutputKind, str] = {
    "label-scores": 'list of {"label": str, "score": float}, highest score first',
    "entities": 'list of {"entity": str, "word": str, "start": int, "end": int, "score": float}',
    "answer-span": '{"answer": str, "start": int, "end": int, "score": float}',
    "generated-text": '{"text": str}',
    "embedding": "list[float]",
    "similarity": '{"score": float} (cosine, -1..1); a single text gives its unit embedding',
    "transcription": '{"text": str}',
    "caption": '{"text": str}',
}


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One inference task: its input, an example, its output and how it is implemented."""

    name: str
    title: str
    input_kind: InputKind
    output_kind: OutputKind
    example: Any
    backend: Backend
    pipeline_task: str | None = None
    description: str = ""

    @property
    def input_fields(self) -> tuple[str, ...]:
        """The fields a structured input of this task carries."""
        return INPUT_FIELDS[self.input_kind]

    @property
    def output_shape(self) -> str:
        """One output of this task, described."""
        return OUTPUT_SHAPES[self.output_kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "title": self.title,
            "input_kind": self.input_kind,
            "input_fields": list(self.input_fields),
            "output_kind": self.output_kind,
            "output_shape": self.output_shape,
            "example": self.example,
            "backend": self.backend,
            "pipeline_task": self.pipeline_task,
            "description": self.description,
        }


_IMAGE = "photo.jpg"
_TASKS = (
    TaskSpec(
        "text-classification", "Text classification", "text", "label-scores",
        "I loved this film, the acting was superb.", "pipeline", "text-classification",
        "Scores every label of the model's classifier head (sentiment, topic, …).",
    ),
    TaskSpec(
        "token-classification", "Named entities", "text", "entities",
        "Ada Lovelace worked with Charles Babbage in London.", "pipeline",
        "token-classification", "Finds entity spans, grouped word by word.",
    ),
    TaskSpec(
        "question-answering", "Question answering", "question+context", "answer-span",
        {"question": "Where did Ada work?", "context": "Ada Lovelace worked in London."},
        "autoclass", None, "Extracts the answer span from the context (long contexts in windows).",
    ),
    TaskSpec(
        "fill-mask", "Fill mask", "text", "label-scores",
        "Paris is the [MASK] of France.", "pipeline", "fill-mask",
        "Ranks tokens for the mask token ([MASK] or <mask>, as the tokenizer names it).",
    ),
    TaskSpec(
        "summarization", "Summarization", "text", "generated-text",
        "The city council met on Tuesday to discuss the new budget. After a long debate the "
        "members agreed to spend more on public transport and less on road building.",
        "autoclass", None, "Seq2seq generate() (BART, T5, Pegasus, …).",
    ),
    TaskSpec(
        "translation", "Translation", "text", "generated-text",
        "The house is small.", "autoclass", None,
        "Seq2seq generate(); T5 prefixes and target-language tokens (mBART, NLLB, M2M) handled.",
    ),
    TaskSpec(
        "text-generation", "Text generation", "text", "generated-text",
        "Once upon a time", "pipeline", "text-generation",
        "Continues the prompt; tokens can be streamed as they come.",
    ),
    TaskSpec(
        "feature-extraction", "Embeddings", "text", "embedding",
        "A sentence to embed.", "pipeline", "feature-extraction",
        "Mean-pooled last hidden state.",
    ),
    TaskSpec(
        "sentence-similarity", "Sentence similarity", "text-pair", "similarity",
        {"text": "A man is playing a guitar.", "text_pair": "Someone plays an instrument."},
        "pipeline", "feature-extraction",
        "Cosine similarity of mean-pooled, normalised embeddings.",
    ),
    TaskSpec(
        "zero-shot-classification", "Zero-shot classification", "text+labels", "label-scores",
        {"text": "The match ended 2-1 after extra time.", "labels": ["sport", "politics"]},
        "pipeline", "zero-shot-classification", "Scores free-form labels with an NLI model.",
    ),
    TaskSpec(
        "image-classification", "Image classification", "image", "label-scores",
        _IMAGE, "pipeline", "image-classification", "Scores the model's image labels.",
    ),
    TaskSpec(
        "zero-shot-image-classification", "Zero-shot image classification", "image+labels",
        "label-scores", {"image": _IMAGE, "labels": ["a cat", "a dog", "a car"]},
        "pipeline", "zero-shot-image-classification", "Scores free-form labels (CLIP-like).",
    ),
    TaskSpec(
        "automatic-speech-recognition", "Speech recognition", "audio", "transcription",
        "speech.wav", "pipeline", "automatic-speech-recognition",
        "Transcribes audio resampled to 16 kHz; long audio in 30 s chunks.",
    ),
    TaskSpec(
        "image-to-text", "Image captioning", "image", "caption",
        _IMAGE, "pipeline", "image-text-to-text",
        "Captions an image (BLIP-style prompt or a chat prompt for vision-language models).",
    ),
    TaskSpec(
        "visual-question-answering", "Visual question answering", "image+text", "label-scores",
        {"image": _IMAGE, "text": "What colour is the car?"}, "autoclass", None,
        "Classifier VQA (ViLT): answers from the model's label set, sigmoid scores.",
    ),
)  # fmt: skip
TASKS: dict[str, TaskSpec] = {t.name: t for t in _TASKS}


def get_task(name: str) -> TaskSpec:
    """The spec of a task or alias (`ner`, `sentiment-analysis`); UnknownTaskError otherwise."""
    try:
        return TASKS[inference_task_name(name)]
    except KeyError:
        raise UnknownTaskError(
            f"Unknown task {name!r}", f"Known tasks: {', '.join(sorted(TASKS))}."
        ) from None


def list_tasks() -> list[TaskSpec]:
    """Every task, in registry order."""
    return list(TASKS.values())
