"""text-generation: the pipeline for whole answers, generate() with a streamer for pieces."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from hf_ecosystem.inference.inputs import text_of
from hf_ecosystem.inference.loading import LoadContext

DEFAULT_MAX_NEW_TOKENS = 64
# How long the consumer waits for the next piece before checking the generating thread.
_POLL_S = 0.5


class TextGenerator:
    """text-generation → {"text": continuation}; `stream()` yields pieces as they are generated."""

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("text-generation")
        self.model = self.pipe.model
        self.tokenizer = self.pipe.tokenizer

    def _gen_kwargs(self, max_new_tokens: int | None, options: dict[str, Any]) -> dict[str, Any]:
        kwargs = dict(options)
        kwargs["max_new_tokens"] = max_new_tokens or DEFAULT_MAX_NEW_TOKENS
        if self.tokenizer.pad_token_id is None:
            # Decoder-only tokenizers often lack a pad token; eos is the usual stand-in.
            kwargs.setdefault("pad_token_id", self.tokenizer.eos_token_id)
        return kwargs

    def run(
        self,
        items: list[Any],
        *,
        max_new_tokens: int | None = None,
        stream: Callable[[str], object] | None = None,
        batch_size: int = 1,
        **options: Any,
    ) -> list[Any]:
        prompts = [text_of(item) for item in items]
        if stream is not None:
            # Streaming is per prompt: each piece goes to the callback, the whole text is returned.
            results: list[Any] = []
            for prompt in prompts:
                pieces: list[str] = []
                for piece in self.stream(prompt, max_new_tokens=max_new_tokens, **options):
                    stream(piece)
                    pieces.append(piece)
                results.append({"text": "".join(pieces)})
            return results
        kwargs = self._gen_kwargs(max_new_tokens, options)
        outputs = self.pipe(prompts, return_full_text=False, batch_size=batch_size, **kwargs)
        return [{"text": str(out[0]["generated_text"])} for out in outputs]

    def stream(
        self,
        prompt: str,
        *,
        max_new_tokens: int | None = None,
        cancel: threading.Event | None = None,
        **options: Any,
    ) -> Iterator[str]:
        """Pieces of the continuation as the model produces them; closing the iterator or
        setting `cancel` stops generation."""
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        closed = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                import torch

                done = closed.is_set() or (cancel is not None and cancel.is_set())
                return torch.full(
                    (input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device
                )

        streamer = TextIteratorStreamer(
            self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=_POLL_S
        )
        inputs = self.tokenizer(text_of(prompt), return_tensors="pt").to(self.model.device)
        kwargs = self._gen_kwargs(max_new_tokens, options)
        errors: list[BaseException] = []

        def generate() -> None:
            try:
                self.model.generate(
                    **inputs,
                    streamer=streamer,
                    stopping_criteria=StoppingCriteriaList([_Stop()]),
                    **kwargs,
                )
            except BaseException as exc:  # handed to the consumer below
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=generate, name="hf-generate", daemon=True)
        worker.start()
        try:
            yield from _drain(streamer, worker)
        finally:
            closed.set()
            worker.join()
        if errors:
            raise errors[0]


def _drain(streamer: Any, worker: threading.Thread) -> Iterator[str]:
    """The streamer's pieces until it ends, waking up to notice a dead generating thread."""
    import queue

    while True:
        try:
            piece = next(streamer)
        except StopIteration:
            return
        except queue.Empty:
            if not worker.is_alive() and streamer.text_queue.empty():
                return
            continue
        if piece:
            yield piece
