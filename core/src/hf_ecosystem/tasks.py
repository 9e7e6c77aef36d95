"""One task vocabulary for inference, training and evaluation: canonical names and their aliases.

Each layer runs a subset of the tasks; the names a user may type (the course's
`sentiment-analysis`, `ner`, `translation_en_to_fr`, the training names `causal-lm`/`seq2seq`)
all resolve here, so a screen, a CLI command and a job never disagree on what a name means.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

TrainTask = Literal[
    "text-classification",
    "multi-label-classification",
    "token-classification",
    "causal-lm",
    "seq2seq",
]
EvalTask = Literal["text-classification", "seq2seq", "causal-lm"]

TRAIN_TASKS: tuple[TrainTask, ...] = get_args(TrainTask)
EVAL_TASKS: tuple[EvalTask, ...] = get_args(EvalTask)

# Names that mean an inference task (the pipeline names transformers used to accept).
INFERENCE_ALIASES: dict[str, str] = {
    "sentiment-analysis": "text-classification",
    "ner": "token-classification",
    "image-captioning": "image-to-text",
    "vqa": "visual-question-answering",
    "asr": "automatic-speech-recognition",
}

# Names that mean a training task (inference names included where one head serves both).
TRAIN_ALIASES: dict[str, TrainTask] = {
    "sequence-classification": "text-classification",
    "sentiment-analysis": "text-classification",
    "multi-label": "multi-label-classification",
    "ner": "token-classification",
    "text-generation": "causal-lm",
    "summarization": "seq2seq",
    "translation": "seq2seq",
    "text2text-generation": "seq2seq",
}

# Names that mean an evaluation task (the training task names included).
EVAL_ALIASES: dict[str, EvalTask] = {
    "sequence-classification": "text-classification",
    "sentiment-analysis": "text-classification",
    "summarization": "seq2seq",
    "translation": "seq2seq",
    "text2text-generation": "seq2seq",
    "text-generation": "causal-lm",
    "perplexity": "causal-lm",
}

_TRANSLATION_PAIR = re.compile(r"^translation_[a-z]{2,3}_to_[a-z]{2,3}$")


def _clean(name: str) -> str:
    text = name.strip()
    return "translation" if _TRANSLATION_PAIR.match(text) else text


def inference_task_name(name: str) -> str:
    """The inference registry's name for a task name or alias (unchecked against the registry)."""
    text = _clean(name)
    return INFERENCE_ALIASES.get(text, text)


def training_task(name: str) -> TrainTask | None:
    """The training task a name or alias means, or None when it means none."""
    text = _clean(name)
    if text in TRAIN_TASKS:
        return text  # pyright: ignore[reportReturnType]  # narrowed by the membership test
    return TRAIN_ALIASES.get(text)


def evaluation_task(name: str) -> EvalTask | None:
    """The evaluation task a name or alias means, or None when it means none."""
    text = _clean(name)
    if text in EVAL_TASKS:
        return text  # pyright: ignore[reportReturnType]  # narrowed by the membership test
    return EVAL_ALIASES.get(text)
