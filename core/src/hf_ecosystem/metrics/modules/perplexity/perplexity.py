"""Sliding-window perplexity of a causal LM (a local folder or a cached repo), usable offline."""

from collections.abc import Sequence
from typing import Any

import datasets
import evaluate

from hf_ecosystem.evaluation import perplexity as ppl

_DESCRIPTION = "Token-weighted perplexity, each text scored with a sliding window of context."
_INPUTS = """
predictions: the texts to score. model_id: a model folder or a repo id in the cache.
max_length: window length (default: the model's limit). stride: window step (default 512).
batch_size: windows per forward pass. add_start_token: put BOS first (default True).
device: where to run (default: cuda when available, else cpu).
Returns {"perplexity", "mean_nll", "tokens"}.
"""


class Perplexity(evaluate.Metric):
    """exp(mean negative log-likelihood per token)."""

    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS,
            features=datasets.Features({"predictions": datasets.Value("string")}),
            reference_urls=["https://huggingface.co/docs/transformers/perplexity"],
        )

    def _compute(  # pyright: ignore[reportIncompatibleMethodOverride]
        self,
        predictions: Sequence[str],
        model_id: str,
        max_length: int | None = None,
        stride: int = 512,
        batch_size: int = 8,
        add_start_token: bool = True,
        device: str | None = None,
    ) -> dict[str, Any]:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        where = device or ("cuda" if torch.cuda.is_available() else "cpu")
        # transformers' from_pretrained signatures are partly untyped.
        model: Any = AutoModelForCausalLM.from_pretrained(model_id)  # pyright: ignore[reportUnknownMemberType]
        model = model.to(where).eval()
        tokenizer: Any = AutoTokenizer.from_pretrained(model_id)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        result = ppl.perplexity(
            model,
            tokenizer,
            list(predictions),
            max_length=max_length,
            stride=stride,
            batch_size=batch_size,
            add_start_token=add_start_token,
        )
        return result.flat()
