"""Token streaming on every available device (CUDA when present; a regression seen on an H200:
a stopping criterion built its tensor on the CPU while generate() ran on the GPU)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from models import fixtures

tiny_model = fixtures.tiny_model


def _devices() -> list[object]:
    import torch

    found: list[object] = ["cpu"]
    if torch.cuda.is_available():
        found.append(pytest.param("cuda", marks=pytest.mark.gpu))  # `-m gpu` selects it
    return found


@pytest.mark.parametrize("device", _devices())
def test_streamed_pieces_match_the_whole_answer(
    device: str, tiny_model: Callable[[str], Path]
) -> None:
    from hf_ecosystem.inference.pipelines import create_pipeline

    predictor = create_pipeline("text-generation", tiny_model("text-generation"), device=device)
    assert predictor.device == device
    whole = predictor("the cat", max_new_tokens=8, do_sample=False)["text"]
    pieces = list(predictor.stream("the cat", max_new_tokens=8, do_sample=False))
    assert pieces and "".join(pieces) == whole


@pytest.mark.parametrize("device", _devices())
def test_a_cancelled_stream_stops_early(device: str, tiny_model: Callable[[str], Path]) -> None:
    from hf_ecosystem.inference.pipelines import create_pipeline

    predictor = create_pipeline("text-generation", tiny_model("text-generation"), device=device)
    cancel = threading.Event()
    cancel.set()  # the stopping criterion sees it at the first step, on the model's device
    pieces = list(predictor.stream("the cat", max_new_tokens=20, cancel=cancel, do_sample=False))
    whole = predictor("the cat", max_new_tokens=20, do_sample=False)["text"]
    assert len("".join(pieces)) < len(whole)
