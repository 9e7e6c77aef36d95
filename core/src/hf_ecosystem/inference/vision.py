"""Image tasks: classification and zero-shot (pipelines), captioning (image-text-to-text) and
classifier VQA (ViLT logits; the VQA pipeline is gone in transformers 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from hf_ecosystem.inference.errors import BadInputError, InferenceError
from hf_ecosystem.inference.inputs import (
    as_dict,
    as_list,
    fields_of,
    label_scores,
    labels_of,
    text_of,
)
from hf_ecosystem.inference.loading import LoadContext
from hf_ecosystem.paths import user_path

# BLIP-style captioners continue a plain prompt; this one is what their model cards use.
CAPTION_PROMPT = "a photo of"
CHAT_CAPTION_REQUEST = "Describe this image in one sentence."
# BLIP's decoder ignores the outer generation config, so bound captions here; chat models'
# default length (20 tokens) would cut their sentence short.
CAPTION_MAX_NEW_TOKENS = 30
CHAT_MAX_NEW_TOKENS = 64


def load_image(value: Any) -> Any:
    """An RGB PIL image from a path, a URL, a PIL image or an H×W(×C) uint8 array (bare or as
    an input's "image" field)."""
    import numpy as np
    from PIL import Image

    fields = as_dict(value)
    source: Any = fields.get("image", value) if fields is not None else value
    if isinstance(source, Image.Image):
        return source.convert("RGB")
    if isinstance(source, np.ndarray):
        return Image.fromarray(cast("np.ndarray[Any, Any]", source)).convert("RGB")
    if not isinstance(source, str | Path):
        raise BadInputError(
            f"Expected an image, got {type(source).__name__}",
            "Pass a path, a PIL image or an array.",
        )
    text = str(source)
    if text.startswith(("http://", "https://")):
        from transformers.image_utils import load_image as fetch

        return fetch(text).convert("RGB")
    path = user_path(text)
    if not path.is_file():
        raise BadInputError(f"Image not found: {path}", "Pass the path of an image file.")
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except OSError as exc:
        raise BadInputError(f"Not a readable image: {path}", str(exc)) from exc


class ImageClassifier:
    """image-classification → label-scores (top_k labels, softmax)."""

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("image-classification")

    def run(self, items: list[Any], *, top_k: int = 5, batch_size: int = 1) -> list[Any]:
        images = [load_image(item) for item in items]
        outputs = self.pipe(images, top_k=top_k, batch_size=batch_size)
        return [label_scores((d["label"], d["score"]) for d in out) for out in outputs]


class ZeroShotImageClassifier:
    """zero-shot-image-classification → label-scores over the given labels (CLIP-like)."""

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("zero-shot-image-classification")

    def run(
        self, items: list[Any], *, hypothesis_template: str = "This is a photo of {}."
    ) -> list[Any]:
        results: list[Any] = []
        for item in items:
            image, labels = fields_of(
                item, ("image", "labels"), aliases={"candidate_labels": "labels"}
            )
            out = self.pipe(
                load_image(image),
                candidate_labels=labels_of(labels),
                hypothesis_template=hypothesis_template,
            )
            results.append(label_scores((d["label"], d["score"]) for d in out))
        return results


class Captioner:
    """image-to-text → {"text": caption} through the image-text-to-text pipeline.

    Models with a chat template (vision-language chat models) are asked to describe the image;
    others (BLIP) continue a plain prompt, whose words are part of the caption. An input's
    "text" field replaces the prompt, which makes this a generative VQA too.
    """

    def __init__(self, ctx: LoadContext) -> None:
        self.pipe = ctx.pipeline("image-text-to-text")
        processor = getattr(self.pipe, "processor", None)
        self.chat = bool(getattr(processor, "chat_template", None))

    def run(
        self, items: list[Any], *, max_new_tokens: int | None = None, **options: Any
    ) -> list[Any]:
        results: list[Any] = []
        for item in items:
            image = load_image(item)
            fields = as_dict(item)
            prompt = fields.get("text") if fields is not None else None
            prompt = text_of(prompt) if prompt is not None else None
            if self.chat:
                content = [{"type": "image", "image": image}]
                content.append({"type": "text", "text": prompt or CHAT_CAPTION_REQUEST})
                out = self.pipe(
                    text=[{"role": "user", "content": content}],
                    return_full_text=False,
                    max_new_tokens=max_new_tokens or CHAT_MAX_NEW_TOKENS,
                    **options,
                )
            else:
                out = self.pipe(
                    images=image,
                    text=prompt or CAPTION_PROMPT,
                    return_full_text=True,
                    max_new_tokens=max_new_tokens or CAPTION_MAX_NEW_TOKENS,
                    **options,
                )
            results.append({"text": _generated(out).strip()})
        return results


def _generated(out: Any) -> str:
    outputs = as_list(out)
    first: Any = outputs[0] if outputs is not None else out
    text: Any = first["generated_text"]
    transcript = as_list(text)
    if transcript is not None:  # a chat transcript: the last message is the reply
        content: Any = transcript[-1]["content"]
        return content if isinstance(content, str) else str(content)
    return str(text)


class ClassifierVQA:
    """visual-question-answering → label-scores: the model's answer labels, sigmoid scores
    (ViLT was trained multi-label, so they need not sum to 1)."""

    def __init__(self, ctx: LoadContext) -> None:
        from transformers import AutoModelForVisualQuestionAnswering

        self.processor = ctx.processor()
        self.model = ctx.from_pretrained(AutoModelForVisualQuestionAnswering)
        labels: dict[int, str] = getattr(self.model.config, "id2label", None) or {}
        if self.model.config.model_type != "vilt" or len(labels) < 2:
            raise InferenceError(
                f"{ctx.model} is not a classifier VQA model",
                "visual-question-answering runs answer-classifier models (ViLT); ask generative "
                "vision-language models through image-to-text with the question as the text.",
            )
        self.labels = labels
        self.max_text = int(getattr(self.model.config, "max_position_embeddings", 40))

    def run(self, items: list[Any], *, top_k: int = 5) -> list[Any]:
        import torch

        results: list[Any] = []
        for item in items:
            image, question = fields_of(item, ("image", "text"), aliases={"question": "text"})
            encoded = self.processor(
                images=load_image(image),
                text=text_of(question),
                return_tensors="pt",
                truncation=True,
                max_length=self.max_text,
            )
            with torch.inference_mode():
                logits = self.model(**encoded.to(self.model.device)).logits[0].float().cpu()
            probs = torch.sigmoid(logits)
            top = torch.topk(probs, k=min(top_k, probs.shape[-1]))
            pairs = [
                (self.labels[int(i)], float(p))
                for p, i in zip(top.values, top.indices, strict=True)
            ]
            results.append(label_scores(pairs))
        return results
