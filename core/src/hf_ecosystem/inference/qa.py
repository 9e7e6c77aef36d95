"""Extractive question answering from start/end logits (the pipeline is gone in transformers 5)."""

from __future__ import annotations

from typing import Any

from hf_ecosystem.inference.errors import BadInputError, InferenceError
from hf_ecosystem.inference.inputs import fields_of, text_of
from hf_ecosystem.inference.loading import LoadContext, max_input_tokens

DEFAULT_MAX_SEQ_LEN = 384
DEFAULT_DOC_STRIDE = 128


class ExtractiveQA:
    """question-answering → {"answer", "start", "end", "score"}: the best span of the context.

    Long contexts are cut into overlapping windows (`doc_stride` tokens shared); the best span
    over all windows wins. The score is p(start) · p(end) within its window, as the old
    transformers pipeline reported it.
    """

    def __init__(self, ctx: LoadContext) -> None:
        from transformers import AutoModelForQuestionAnswering

        self.tokenizer = ctx.tokenizer()
        if not getattr(self.tokenizer, "is_fast", False):
            raise InferenceError(
                f"{ctx.model} has no fast tokenizer",
                "Extractive QA maps tokens back to characters, which needs a tokenizer.json.",
            )
        self.model = ctx.from_pretrained(AutoModelForQuestionAnswering)
        self.max_len = max_input_tokens(self.tokenizer, self.model.config)

    def run(
        self,
        items: list[Any],
        *,
        max_answer_len: int = 30,
        max_seq_len: int = DEFAULT_MAX_SEQ_LEN,
        doc_stride: int = DEFAULT_DOC_STRIDE,
    ) -> list[Any]:
        results: list[Any] = []
        for item in items:
            question, context = fields_of(item, ("question", "context"))
            results.append(
                self.answer(
                    text_of(question),
                    text_of(context),
                    max_answer_len=max_answer_len,
                    max_seq_len=min(max_seq_len, self.max_len),
                    doc_stride=doc_stride,
                )
            )
        return results

    def _windows(self, question: str, context: str, max_seq_len: int, doc_stride: int) -> Any:
        question_len = len(self.tokenizer(question, add_special_tokens=False)["input_ids"])
        # Room for the context in one window: the length less the question and special tokens.
        room = max_seq_len - question_len - self.tokenizer.num_special_tokens_to_add(pair=True)
        if room < 8:
            raise BadInputError(
                "The question is too long for this model",
                f"Keep it under {max_seq_len - 16} tokens.",
            )
        # The tokenizer needs the overlap strictly smaller than a window's context part.
        stride = max(0, min(doc_stride, room // 2))
        pad_right = self.tokenizer.padding_side == "right"
        return self.tokenizer(
            question if pad_right else context,
            context if pad_right else question,
            truncation="only_second" if pad_right else "only_first",
            max_length=max_seq_len,
            stride=stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=True,
            return_tensors="pt",
        )

    def answer(
        self, question: str, context: str, *, max_answer_len: int, max_seq_len: int, doc_stride: int
    ) -> dict[str, Any]:
        """The best answer span for one question and context."""
        import torch

        encoded = self._windows(question, context, max_seq_len, doc_stride)
        offsets = encoded.pop("offset_mapping")
        encoded.pop("overflow_to_sample_mapping", None)
        context_id = 1 if self.tokenizer.padding_side == "right" else 0
        with torch.inference_mode():
            out = self.model(**encoded.to(self.model.device))
        best: dict[str, Any] = {"answer": "", "start": 0, "end": 0, "score": 0.0}
        for window in range(offsets.shape[0]):
            in_context = torch.tensor(
                [sid == context_id for sid in encoded.sequence_ids(window)], dtype=torch.bool
            )
            start_p = _masked_softmax(out.start_logits[window].float().cpu(), in_context)
            end_p = _masked_softmax(out.end_logits[window].float().cpu(), in_context)
            # Span scores p(start)·p(end) for start ≤ end < start + max_answer_len.
            spans = torch.triu(torch.outer(start_p, end_p))
            spans = torch.tril(spans, diagonal=max(0, max_answer_len - 1))
            flat = int(torch.argmax(spans))
            i, j = divmod(flat, spans.shape[1])
            score = float(spans[i, j])
            if score > best["score"]:
                start, end = int(offsets[window][i][0]), int(offsets[window][j][1])
                best = {"answer": context[start:end], "start": start, "end": end, "score": score}
        return best


def _masked_softmax(logits: Any, keep: Any) -> Any:
    import torch

    return torch.softmax(logits.masked_fill(~keep, float("-inf")), dim=-1)
