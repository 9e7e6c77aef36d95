"""Perplexity of a causal LM on a text set: token-weighted, sliding windows with a stride."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from hf_ecosystem.evaluation.base import EvaluationError
from hf_ecosystem.evaluation.base import Plain as _Plain


@dataclass(frozen=True)
class PerplexityResult(_Plain):
    """Token-weighted perplexity = exp(mean NLL) over every scored token of every text."""

    perplexity: float
    mean_nll: float
    tokens: int
    texts: int
    max_length: int
    stride: int

    def flat(self) -> dict[str, float]:
        """perplexity, mean_nll and tokens by name."""
        return {"perplexity": self.perplexity, "mean_nll": self.mean_nll, "tokens": self.tokens}


def windows(n_tokens: int, max_length: int, stride: int) -> Iterator[tuple[int, int, int]]:
    """(begin, end, new) of each window: windows start every `stride` tokens, are at most
    `max_length` long, and score only their `new` last tokens (not scored by an earlier one)."""
    previous_end = 0
    for begin in range(0, n_tokens, stride):
        end = min(begin + max_length, n_tokens)
        yield begin, end, end - previous_end
        previous_end = end
        if end == n_tokens:
            break


def perplexity(  # over 60 lines: one sliding-window loop and its running sums
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    *,
    max_length: int | None = None,
    stride: int = 512,
    batch_size: int = 8,
    add_start_token: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> PerplexityResult:
    """Perplexity of a causal LM with a sliding window (HF's "perplexity of fixed-length models").

    Each text is scored on its own: windows of `max_length` tokens (default: the model's limit)
    start every `stride` tokens, and each token is scored once with up to a window of context.
    With `add_start_token` the tokenizer's BOS token is put first so the first word is scored too.
    """
    import torch

    from hf_ecosystem.inference.loading import max_input_tokens

    limit = max_input_tokens(tokenizer, model.config)
    window = min(max_length or limit, limit)
    if window < 2:
        raise EvaluationError(f"A window of {window} token(s) cannot score anything")
    stride = max(1, min(stride, window))  # a longer stride would skip tokens
    bos = getattr(tokenizer, "bos_token_id", None)
    nll, tokens, done = 0.0, 0, 0
    device = next(model.parameters()).device
    for start in range(0, len(texts), batch_size):
        if cancel is not None and cancel.is_set():
            from hf_ecosystem.jobs.context import JobCancelled

            raise JobCancelled()
        rows: list[tuple[list[int], int]] = []  # (window ids, index of its first scored token)
        for text in texts[start : start + batch_size]:
            ids = list(tokenizer(text, verbose=False)["input_ids"])  # long texts are expected
            if add_start_token and bos is not None and (not ids or ids[0] != bos):
                ids.insert(0, bos)
            for begin, end, new in windows(len(ids), window, stride):
                rows.append((ids[begin:end], max(1, end - begin - new)))
        for first in range(0, len(rows), batch_size):
            part = [r for r in rows[first : first + batch_size] if len(r[0]) > 1]
            if not part:
                continue
            width = max(len(ids) for ids, _ in part)
            input_ids = torch.zeros((len(part), width), dtype=torch.long)
            mask = torch.zeros((len(part), width), dtype=torch.long)
            targets = torch.full((len(part), width), -100, dtype=torch.long)
            for r, (ids, scored) in enumerate(part):
                row = torch.tensor(ids, dtype=torch.long)
                input_ids[r, : len(ids)] = row
                mask[r, : len(ids)] = 1
                targets[r, scored : len(ids)] = row[scored:]
            with torch.inference_mode():
                logits = model(
                    input_ids=input_ids.to(device), attention_mask=mask.to(device)
                ).logits
            # Position j's logits predict token j + 1.
            loss = torch.nn.functional.cross_entropy(
                logits[:, :-1].float().reshape(-1, logits.shape[-1]),
                targets[:, 1:].reshape(-1).to(device),
                ignore_index=-100,
                reduction="sum",
            )
            nll += float(loss)
            tokens += int((targets[:, 1:] != -100).sum())
        done = min(start + batch_size, len(texts))
        if progress is not None:
            progress(done, len(texts))
    if tokens == 0:
        raise EvaluationError("No tokens to score", "The texts are empty (or one token long each).")
    mean = nll / tokens
    return PerplexityResult(math.exp(mean), mean, tokens, len(texts), window, stride)
