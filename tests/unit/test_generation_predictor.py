"""Text generation's pad token, errors from the generating thread and the streamer's waits;
the Predictor's error wrapping and its CPU fallback when that fails too."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.inference import create_pipeline
from hf_ecosystem.inference.errors import BadInputError, InferenceError
from hf_ecosystem.inference.generation import DEFAULT_MAX_NEW_TOKENS, _drain
from hf_ecosystem.inference.predictor import Predictor
from hf_ecosystem.inference.registry import get_task

tiny_model = fixtures.tiny_model


@pytest.fixture(scope="module")
def generator(tiny_model: Callable[[str], Path]) -> Predictor:
    """The tiny GPT-2 as a text-generation Predictor on the CPU."""
    return create_pipeline("text-generation", tiny_model("text-generation"), device="cpu")


# --- generation --------------------------------------------------------------------------------


def test_a_tokenizer_without_pad_token_generates_with_eos_as_pad(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    """Like the real GPT-2: no pad token, so generate() is given eos as the pad id."""
    from transformers import AutoTokenizer

    source = tiny_model("text-generation")
    for name in ("config.json", "model.safetensors"):
        shutil.copy(source / name, tmp_path / name)
    config = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    config.pop("pad_token_id", None)
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    tokenizer.pad_token = None
    tokenizer.save_pretrained(str(tmp_path))

    predictor = create_pipeline("text-generation", tmp_path, device="cpu")
    runner: Any = predictor._runner
    eos = runner.tokenizer.eos_token_id
    assert runner.tokenizer.pad_token_id is None and eos is not None
    assert runner._gen_kwargs(None, {}) == {
        "max_new_tokens": DEFAULT_MAX_NEW_TOKENS,
        "pad_token_id": eos,
    }
    assert runner._gen_kwargs(3, {"pad_token_id": 7})["pad_token_id"] == 7  # the caller's wins
    result = predictor("the cat", max_new_tokens=2, do_sample=False)
    assert isinstance(result["text"], str)


def test_an_error_in_the_generating_thread_reaches_the_caller(generator: Predictor) -> None:
    """Options generate() refuses fail in its thread; the stream raises them as an
    InferenceError instead of hanging or ending quietly."""
    with pytest.raises(InferenceError, match="text-generation failed") as caught:
        list(generator.stream("hello", max_new_tokens=3, num_beams=2))
    assert "stream" in caught.value.hint.lower()
    assert not [t for t in threading.enumerate() if t.name == "hf-generate"]


def test_an_empty_prompt_to_stream_is_a_bad_input(generator: Predictor) -> None:
    """The input error surfaces as itself, with its advice, and no thread is left behind."""
    with pytest.raises(BadInputError, match="Expected non-empty text, got str") as caught:
        list(generator.stream("   "))
    assert caught.value.hint == 'Pass a string or a dict with a "text" string.'
    assert not [t for t in threading.enumerate() if t.name == "hf-generate"]


def test_a_predictor_describes_itself(generator: Predictor) -> None:
    """repr and to_dict name the task, model folder, device and dtype."""
    model = generator.model
    assert repr(generator) == (
        f"Predictor('text-generation', {model!r}, device='cpu', dtype={generator.dtype!r})"
    )
    assert generator.to_dict() == {
        "task": "text-generation",
        "model": model,
        "device": "cpu",
        "dtype": generator.dtype,
    }
    assert generator.dtype == "fp32" and model.endswith("text-generation")


def _streamer(generator: Predictor) -> Any:
    from transformers import TextIteratorStreamer

    runner: Any = generator._runner
    return TextIteratorStreamer(runner.tokenizer, timeout=0.02)


def test_draining_waits_for_a_slow_first_piece(generator: Predictor) -> None:
    """Timeouts while the thread is alive are waited out; empty pieces are skipped."""
    streamer = _streamer(generator)

    def produce() -> None:
        time.sleep(0.15)  # several streamer timeouts
        streamer.on_finalized_text("")
        streamer.on_finalized_text("slow ")
        streamer.on_finalized_text("text", stream_end=True)

    worker = threading.Thread(target=produce)
    worker.start()
    assert list(_drain(streamer, worker)) == ["slow ", "text"]
    worker.join()


def test_draining_stops_when_the_thread_died_without_ending_the_stream(
    generator: Predictor,
) -> None:
    """A dead generating thread and nothing queued: the pieces so far, then the end."""
    streamer = _streamer(generator)
    worker = threading.Thread(target=lambda: streamer.on_finalized_text("only"))
    worker.start()
    worker.join()
    assert list(_drain(streamer, worker)) == ["only"]


# --- the Predictor -----------------------------------------------------------------------------


class _Runner:
    """A runner that raises `error`, or answers each item."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error
        self.calls = 0

    def run(self, items: list[Any], **options: Any) -> list[Any]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return [{"text": f"echo {item}"} for item in items]


def _predictor(runner: _Runner, load: Callable[[str, Any], Any], **kw: Any) -> Predictor:
    spec = get_task("text-generation")
    return Predictor(spec, "m", runner, device="cuda", dtype="bf16", load=load, **kw)


def _no_load(device: str, dtype: Any) -> Any:
    raise AssertionError("no reload expected")


def test_our_own_errors_pass_through_unchanged() -> None:
    """A BadInputError from the runner is not rewrapped as a generic failure."""
    error = BadInputError("Input 0 is empty")
    with pytest.raises(BadInputError) as caught:
        _predictor(_Runner(error), _no_load)("")
    assert caught.value is error


def test_other_errors_name_the_task_and_model() -> None:
    """A library error becomes an InferenceError whose hint is the original message."""
    with pytest.raises(InferenceError, match="text-generation failed on m") as caught:
        _predictor(_Runner(ValueError("bad   option\n value")), _no_load)(["a"])
    assert caught.value.hint == "bad option value"
    assert _predictor(_Runner(), _no_load)([]) == []  # an empty batch runs nothing


def _oom() -> BaseException:
    import torch

    return torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")


@pytest.mark.parametrize(
    ("retry_error", "expected"),
    [(ValueError("cpu says no"), InferenceError), (BadInputError("bad on cpu"), BadInputError)],
)
def test_a_failure_after_the_cpu_fallback_is_reported(
    retry_error: Exception, expected: type[Exception]
) -> None:
    """Out of memory on the GPU, reload on the CPU, and that fails too: one clear error."""
    cpu = _Runner(retry_error)
    predictor = _predictor(_Runner(_oom()), lambda device, dtype: cpu, retry_on_cpu=True)
    with pytest.raises(expected) as caught:
        predictor("hi")
    assert cpu.calls == 1 and (predictor.device, predictor.dtype) == ("cpu", "fp32")
    if expected is InferenceError:
        assert caught.value.hint == "cpu says no"  # type: ignore[attr-defined]


def test_a_failed_reload_leaves_a_predictor_that_says_so() -> None:
    """When the CPU reload itself fails, later calls say the model is not loaded."""

    def load(device: str, dtype: Any) -> Any:
        raise InferenceError("Could not load m for text-generation", "disk full")

    predictor = _predictor(_Runner(_oom()), load, retry_on_cpu=True)
    with pytest.raises(InferenceError, match="Could not load m"):
        predictor("hi")
    with pytest.raises(InferenceError, match="The model is not loaded") as caught:
        predictor("hi again")
    assert caught.value.hint == "Create the pipeline again."
