"""Show code: the Python that does what a screen does, with hf_ecosystem and with the plain
Hugging Face libraries. Plain strings only (stdlib): the UI process builds them."""

from __future__ import annotations

from hf_ecosystem.snippets.data import preview_snippet, stats_snippet
from hf_ecosystem.snippets.evaluation import evaluate_snippet
from hf_ecosystem.snippets.hub import memory_snippet, model_snippet, search_snippet
from hf_ecosystem.snippets.inference import try_snippet
from hf_ecosystem.snippets.publishing import publish_snippet
from hf_ecosystem.snippets.training import train_snippet
from hf_ecosystem.snippets.types import (
    CodeRequest,
    EvaluateCode,
    MemoryCode,
    ModelCode,
    PreviewCode,
    PublishCode,
    SearchCode,
    Snippet,
    StatsCode,
    TrainCode,
    TryCode,
    joined,
)

__all__ = [
    "CodeRequest",
    "EvaluateCode",
    "MemoryCode",
    "ModelCode",
    "PreviewCode",
    "PublishCode",
    "SearchCode",
    "Snippet",
    "StatsCode",
    "TrainCode",
    "TryCode",
    "joined",
    "snippet_for",
]


def snippet_for(request: CodeRequest) -> Snippet:
    """The snippet of one screen's request."""
    match request:
        case SearchCode():
            return search_snippet(request)
        case ModelCode():
            return model_snippet(request)
        case MemoryCode():
            return memory_snippet(request)
        case TryCode():
            return try_snippet(request)
        case PreviewCode():
            return preview_snippet(request)
        case StatsCode():
            return stats_snippet(request)
        case TrainCode():
            return train_snippet(request)
        case EvaluateCode():
            return evaluate_snippet(request)
        case PublishCode():
            return publish_snippet(request)
