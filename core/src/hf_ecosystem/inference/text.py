"""Text tasks that transformers 5 still ships as pipelines: classification, entities, fill-mask,
zero-shot, embeddings and sentence similarity."""

from __future__ import annotations

from typing import Any

from hf_ecosystem.inference.errors import BadInputError
from hf_ecosystem.inference.inputs import chunks, fields_of, label_scores, labels_of, text_of
from hf_ecosystem.inference.loading import LoadContext, max_input_tokens


class TextClassifier:
    """text-classification → label-scores over every label (softmax, or sigmoid if multi-label)."""

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("text-classification")

    def run(self, items: list[Any], *, top_k: int | None = None, batch_size: int = 1) -> list[Any]:
        texts = [text_of(item) for item in items]
        outputs = self.pipe(texts, top_k=top_k, batch_size=batch_size, truncation=True)
        return [label_scores((d["label"], d["score"]) for d in out) for out in outputs]


class EntityTagger:
    """token-classification → entities grouped word by word (aggregation "simple")."""

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("token-classification", aggregation_strategy="simple")

    def run(self, items: list[Any], *, batch_size: int = 1) -> list[Any]:
        texts = [text_of(item) for item in items]
        outputs = self.pipe(texts, batch_size=batch_size)
        return [[_entity(d) for d in out] for out in outputs]


def _entity(raw: dict[str, Any]) -> dict[str, Any]:
    start, end = raw.get("start"), raw.get("end")
    return {
        "entity": str(raw.get("entity_group", raw.get("entity", ""))),
        "word": str(raw["word"]),
        "start": int(start) if start is not None else None,
        "end": int(end) if end is not None else None,
        "score": float(raw["score"]),
    }


MASK_SPELLINGS = ("[MASK]", "<mask>")


class MaskFiller:
    """fill-mask → label-scores: candidate tokens for the one mask, with the filled sentence."""

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("fill-mask")
        self.mask = str(self.pipe.tokenizer.mask_token)

    def _masked(self, item: Any) -> str:
        text = text_of(item)
        # Accept either common spelling, whatever this tokenizer calls its mask.
        for spelling in MASK_SPELLINGS:
            text = text.replace(spelling, self.mask)
        if text.count(self.mask) != 1:
            raise BadInputError(
                f"Expected exactly one mask token, found {text.count(self.mask)}",
                f"Put {self.mask} where the word to predict goes, once.",
            )
        return text

    def run(self, items: list[Any], *, top_k: int = 5, batch_size: int = 1) -> list[Any]:
        texts = [self._masked(item) for item in items]
        outputs = self.pipe(texts, top_k=top_k, batch_size=batch_size)
        if len(texts) == 1:  # one input gives a bare list, not a list of lists
            outputs = [outputs]
        return [
            label_scores(
                ((d["token_str"], d["score"]) for d in out),
                sequence=[d["sequence"] for d in out],
            )
            for out in outputs
        ]


class ZeroShotClassifier:
    """zero-shot-classification → label-scores over the given labels (NLI entailment)."""

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("zero-shot-classification")

    def run(
        self,
        items: list[Any],
        *,
        multi_label: bool = False,
        hypothesis_template: str = "This example is {}.",
    ) -> list[Any]:
        results: list[Any] = []
        for item in items:
            text, labels = fields_of(item, ("text", "labels"), aliases=_LABEL_ALIASES)
            out = self.pipe(
                text_of(text),
                candidate_labels=labels_of(labels),
                multi_label=multi_label,
                hypothesis_template=hypothesis_template,
            )
            results.append(label_scores(zip(out["labels"], out["scores"], strict=True)))
        return results


_LABEL_ALIASES = {"candidate_labels": "labels", "sequence": "text"}


# Embedding batches are padded and masked, so batching changes nothing but speed.
EMBED_BATCH = 32


class Embedder:
    """feature-extraction / sentence-similarity → mean-pooled embeddings; pairs → cosine score."""

    def __init__(self, ctx: LoadContext, *, normalize: bool) -> None:
        self.pipe = ctx.pipeline("feature-extraction")
        self.normalize = normalize

    def embed(self, texts: list[str], batch_size: int = EMBED_BATCH) -> Any:
        """A (len(texts), hidden) tensor of mean-pooled (optionally unit-length) embeddings."""
        import torch

        tokenizer, model = self.pipe.tokenizer, self.pipe.model
        if tokenizer.pad_token is None:  # decoder-style tokenizers: pad with eos, masked anyway
            tokenizer.pad_token = tokenizer.eos_token
        limit = max_input_tokens(tokenizer, model.config)
        pooled: list[torch.Tensor] = []
        for batch in chunks(texts, batch_size):
            encoded = tokenizer(
                batch, padding=True, truncation=True, max_length=limit, return_tensors="pt"
            ).to(model.device)
            with torch.inference_mode():
                hidden = model(**encoded)[0]
            # Masked mean over tokens, as sentence-transformers pools (special tokens included).
            mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled.append(mean.float().cpu())
        vectors = torch.cat(pooled)
        if self.normalize:
            vectors = torch.nn.functional.normalize(vectors, dim=-1)
        return vectors

    def run(self, items: list[Any], *, batch_size: int = EMBED_BATCH) -> list[Any]:
        import torch

        pairs = [_pair(item) for item in items]
        singles = [text_of(item) for item, pair in zip(items, pairs, strict=True) if pair is None]
        vectors = iter(self.embed(singles, batch_size).tolist() if singles else [])
        results: list[Any] = []
        for pair in pairs:
            if pair is None:
                results.append(next(vectors))
                continue
            a, b = self.embed(list(pair), batch_size)
            score = torch.nn.functional.cosine_similarity(a, b, dim=0)
            results.append({"score": float(score)})
        return results


def _pair(item: Any) -> tuple[str, str] | None:
    """Two texts to compare, or None when the item is one text to embed."""
    if isinstance(item, str):
        return None
    if isinstance(item, dict) and "text_pair" not in item and "text" in item:
        return None
    a, b = fields_of(item, ("text", "text_pair"), aliases={"source": "text", "other": "text_pair"})
    return text_of(a), text_of(b)
