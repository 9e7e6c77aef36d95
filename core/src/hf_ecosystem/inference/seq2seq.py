"""Summarization and translation on AutoModelForSeq2SeqLM.generate (their pipelines are gone in
transformers 5)."""

from __future__ import annotations

from typing import Any

from hf_ecosystem.inference.errors import BadInputError
from hf_ecosystem.inference.inputs import chunks, text_of
from hf_ecosystem.inference.loading import LoadContext, max_input_tokens

# T5 was trained with English language names in its prefixes ("translate English to German: ").
LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "ro": "Romanian", "es": "Spanish",
    "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "zh": "Chinese",
    "ja": "Japanese",
}  # fmt: skip
# Keys of `task_specific_params` that are generate() settings (the old pipelines applied them).
_GENERATE_KEYS = (
    "max_length", "min_length", "num_beams", "length_penalty", "no_repeat_ngram_size",
    "early_stopping",
)  # fmt: skip
# Used when neither the caller nor the model's generation config bounds the output.
DEFAULT_MAX_NEW_TOKENS = 128


class Seq2SeqGenerator:
    """summarization / translation → {"text"} via generate(), in padded batches."""

    def __init__(self, ctx: LoadContext) -> None:
        from transformers import AutoModelForSeq2SeqLM

        self.task = ctx.task
        self.tokenizer = ctx.tokenizer()
        self.model = ctx.from_pretrained(AutoModelForSeq2SeqLM)
        self.config = self.model.config
        self.max_input = max_input_tokens(self.tokenizer, self.config)

    def _bounded(self) -> bool:
        """Whether the model's generation config sets its own output length."""
        from transformers import GenerationConfig

        config = self.model.generation_config
        # GenerationConfig sets its fields from **kwargs at run time: unknown to the checker.
        fresh: Any = GenerationConfig()
        default = fresh.max_length
        return config.max_new_tokens is not None or config.max_length != default

    def _task_params(self, key: str) -> dict[str, Any]:
        params: dict[str, Any] = getattr(self.config, "task_specific_params", None) or {}
        return dict(params.get(key) or {})

    def _translation_params(self, src: str | None, tgt: str | None) -> dict[str, Any]:
        """The config's translation settings for src→tgt (or its only translation entry)."""
        params: dict[str, Any] = getattr(self.config, "task_specific_params", None) or {}
        keys = [k for k in params if k.startswith("translation_")]
        if src and tgt and f"translation_{src}_to_{tgt}" in params:
            return dict(params[f"translation_{src}_to_{tgt}"])
        if tgt:
            wanted = [k for k in keys if k.endswith(f"_to_{tgt}")]
            return dict(params[wanted[0]]) if wanted else {}
        return dict(params[keys[0]]) if keys else {}

    def _setup(self, src_lang: str | None, tgt_lang: str | None) -> tuple[str, dict[str, Any]]:
        """The input prefix and generate() settings for this task and language pair."""
        if self.task == "summarization":
            params = self._task_params("summarization")
        else:
            params = self._translation_params(src_lang, tgt_lang)
        prefix = str(params.get("prefix") or "")
        settings = {k: params[k] for k in _GENERATE_KEYS if k in params}
        if self.task != "translation" or not tgt_lang:
            return prefix, settings
        vocab = self.tokenizer.get_vocab()
        if src_lang and hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = src_lang  # mBART / NLLB / M2M tag the source this way
        # Multilingual decoders start with the target-language token (mBART "fr_XX",
        # NLLB "fra_Latn", M2M100 "__fr__"); multi-target Marian wants ">>fra<<" in the input.
        for code in (tgt_lang, f"__{tgt_lang}__"):
            if code in vocab:
                settings["forced_bos_token_id"] = vocab[code]
                return prefix, settings
        if f">>{tgt_lang}<<" in vocab:
            return f">>{tgt_lang}<< {prefix}", settings
        if not prefix and self.config.model_type == "t5" and src_lang and tgt_lang:
            names = (LANGUAGE_NAMES.get(src_lang, src_lang), LANGUAGE_NAMES.get(tgt_lang, tgt_lang))
            prefix = f"translate {names[0]} to {names[1]}: "
        return prefix, settings

    def run(
        self,
        items: list[Any],
        *,
        src_lang: str | None = None,
        tgt_lang: str | None = None,
        batch_size: int = 8,
        max_new_tokens: int | None = None,
        **options: Any,
    ) -> list[Any]:
        import torch

        check_languages(src_lang, tgt_lang)
        texts = [text_of(item) for item in items]
        prefix, settings = self._setup(src_lang, tgt_lang)
        if max_new_tokens is not None:
            settings.pop("max_length", None)
            settings["max_new_tokens"] = max_new_tokens
        elif "max_length" not in settings and not self._bounded():
            settings["max_new_tokens"] = DEFAULT_MAX_NEW_TOKENS
        settings |= options
        results: list[Any] = []
        for batch in chunks(texts, batch_size):
            encoded = self.tokenizer(
                [prefix + text for text in batch],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_input,
            )
            encoded.pop("token_type_ids", None)  # seq2seq encoders do not take segment ids
            with torch.inference_mode():
                generated = self.model.generate(**encoded.to(self.model.device), **settings)
            texts_out = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
            results += [{"text": text.strip()} for text in texts_out]
        return results


def check_languages(src_lang: Any, tgt_lang: Any) -> None:
    """Language codes must be short strings (e.g. "en", "fr_XX", "fra_Latn")."""
    for name, value in (("src_lang", src_lang), ("tgt_lang", tgt_lang)):
        if value is not None and (not isinstance(value, str) or not 1 < len(value) < 16):
            raise BadInputError(f"Invalid {name} {value!r}", "Use a code such as en, de, fr_XX.")
