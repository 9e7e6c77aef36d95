"""Text clean-up and tokenisation, for one batch or a whole Dataset through `map(batched=True)`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from hf_ecosystem.data.errors import DataError

if TYPE_CHECKING:
    from datasets import Dataset

UnicodeForm = Literal["NFC", "NFKC", "NFD", "NFKD"]
Padding = Literal["longest", "max_length", "do_not_pad"]

# Control and invisible format characters (zero-width spaces, bidi marks, BOM, soft hyphen).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_SPACES = re.compile(r"\s+")
# A tokenizer's model_max_length above this is the "no limit" placeholder, not a real limit.
_NO_LIMIT = 1_000_000


def _clean(text: str, form: UnicodeForm | None, lowercase: bool, strip_accents: bool) -> str:
    if form is not None:
        text = unicodedata.normalize(form, text)
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()
    if strip_accents:
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        text = unicodedata.normalize("NFC", text)
    return text.lower() if lowercase else text


@overload
def preprocess_text(  # pyright: ignore[reportOverlappingOverload] - str first wins
    text: str,
    *,
    lowercase: bool = ...,
    unicode_form: UnicodeForm | None = ...,
    strip_accents: bool = ...,
) -> str: ...
@overload
def preprocess_text(
    text: Sequence[str],
    *,
    lowercase: bool = ...,
    unicode_form: UnicodeForm | None = ...,
    strip_accents: bool = ...,
) -> list[str]: ...
def preprocess_text(
    text: str | Sequence[str],
    *,
    lowercase: bool = False,
    unicode_form: UnicodeForm | None = "NFKC",
    strip_accents: bool = False,
) -> str | list[str]:
    """Unicode-normalise, drop invisible characters, collapse whitespace, optionally lowercase."""
    if isinstance(text, str):
        return _clean(text, unicode_form, lowercase, strip_accents)
    out: list[str] = []
    for index, item in enumerate(text):
        # Callers outside the type checker (a dataset column) can hold anything.
        if not isinstance(item, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise DataError(f"not text: {type(item).__name__} {item!r:.40}", row=index)
        out.append(_clean(item, unicode_form, lowercase, strip_accents))
    return out


def _texts(values: str | Sequence[Any], offset: int = 0) -> list[str]:
    if isinstance(values, str):
        return [values]
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise DataError(
                f"not text: {type(value).__name__} {value!r:.40}",
                row=offset + index,
                hint="Fill or drop missing values before tokenising.",
            )
    return list(values)


def _max_length(tokenizer: Any, max_length: int | None) -> int:
    if max_length is not None:
        if max_length < 1:
            raise DataError(f"max_length must be positive, not {max_length}")
        return max_length
    limit = getattr(tokenizer, "model_max_length", None)
    if not isinstance(limit, int) or limit > _NO_LIMIT:
        raise DataError("the tokenizer sets no maximum length", hint="Pass max_length (e.g. 512).")
    return limit


def tokenize_batch(  # over 60 lines: 11 documented options, checked then used once
    tokenizer: Any,
    texts: str | Sequence[str],
    pairs: Sequence[str] | None = None,
    *,
    max_length: int | None = None,
    truncation: bool = True,
    padding: Padding | bool = "longest",
    split_long: bool = False,
    stride: int = 0,
    return_tensors: str | None = None,
    row_offset: int = 0,
) -> dict[str, Any]:
    """Tokenise a batch with a transformers tokenizer.

    `padding`: "longest" pads to the batch's longest (dynamic), "max_length" to `max_length`
    (fixed), "do_not_pad" leaves lengths as they are. `split_long` cuts each text longer than
    `max_length` into several rows overlapping by `stride` tokens, with
    `overflow_to_sample_mapping` naming the text each row came from.
    """
    batch = _texts(texts, row_offset)
    second = _texts(pairs, row_offset) if pairs is not None else None
    if second is not None and len(second) != len(batch):
        raise DataError(f"{len(batch)} texts but {len(second)} pairs")
    if padding is True:
        padding = "longest"
    elif padding is False:
        padding = "do_not_pad"
    if padding not in ("longest", "max_length", "do_not_pad"):
        raise DataError(
            f"unknown padding {padding!r}", hint="Use longest, max_length or do_not_pad."
        )
    needs_length = truncation or padding == "max_length" or split_long
    length = _max_length(tokenizer, max_length) if needs_length else max_length
    options: dict[str, Any] = {
        "truncation": truncation,
        "max_length": length,
        "padding": padding,
        "return_tensors": return_tensors,
    }
    if stride and not split_long:
        raise DataError("stride only applies with split_long=True")
    if split_long:
        if not getattr(tokenizer, "is_fast", False):
            raise DataError(
                "splitting long texts needs a fast tokenizer",
                hint="Load it with AutoTokenizer.from_pretrained(..., use_fast=True).",
            )
        assert length is not None
        room = length - tokenizer.num_special_tokens_to_add(pair=second is not None)
        if not 0 <= stride < room:
            raise DataError(
                f"stride {stride} must be below max_length minus special tokens ({room})",
                hint="Lower stride or raise max_length.",
            )
        options.update(
            return_overflowing_tokens=True,
            stride=stride,
            truncation="only_second" if second is not None else True,
        )
    if not batch:
        return {"input_ids": [], "attention_mask": []}
    encoded = (
        tokenizer(batch, second, **options) if second is not None else tokenizer(batch, **options)
    )
    return dict(encoded)


def _check_column(dataset: Dataset, column: str) -> None:
    if column not in dataset.column_names:
        raise DataError(
            f"no column {column!r}", hint=f"Columns: {', '.join(dataset.column_names)}."
        )


def tokenize_dataset(
    dataset: Dataset,
    tokenizer: Any,
    column: str = "text",
    *,
    pair_column: str | None = None,
    max_length: int | None = None,
    truncation: bool = True,
    padding: Padding | bool = "do_not_pad",
    split_long: bool = False,
    stride: int = 0,
    keep_columns: bool = True,
    batch_size: int = 1000,
    num_proc: int | None = None,
) -> Dataset:
    """Tokenise a text column with `map(batched=True, num_proc=...)`; other columns follow rows.

    Padding defaults to none: pad per training batch with a data collator (dynamic padding).
    """
    _check_column(dataset, column)
    if pair_column is not None:
        _check_column(dataset, pair_column)
    others = list(dataset.column_names) if keep_columns else []

    def encode(batch: dict[str, list[Any]], indices: list[int]) -> dict[str, list[Any]]:
        encoded = tokenize_batch(
            tokenizer,
            batch[column],
            batch[pair_column] if pair_column else None,
            max_length=max_length,
            truncation=truncation,
            padding=padding,
            split_long=split_long,
            stride=stride,
            row_offset=indices[0] if indices else 0,
        )
        if split_long:
            # Rows multiply: every kept column repeats for each piece of its text.
            mapping = encoded["overflow_to_sample_mapping"]
            for name in others:
                encoded.setdefault(name, [batch[name][i] for i in mapping])
        return encoded

    return dataset.map(  # pyright: ignore[reportUnknownMemberType]  (untyped fn_kwargs dict)
        encode,
        batched=True,
        with_indices=True,
        batch_size=batch_size,
        num_proc=num_proc,
        remove_columns=dataset.column_names if split_long or not keep_columns else None,
        desc="Tokenizing",
    )


def preprocess_dataset(
    dataset: Dataset,
    column: str = "text",
    *,
    lowercase: bool = False,
    unicode_form: UnicodeForm | None = "NFKC",
    strip_accents: bool = False,
    batch_size: int = 1000,
    num_proc: int | None = None,
) -> Dataset:
    """`preprocess_text` over one column of a Dataset, batched and optionally in processes."""
    _check_column(dataset, column)

    def clean(batch: dict[str, list[Any]], indices: list[int]) -> dict[str, list[Any]]:
        values = batch[column]
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise DataError(
                    f"not text: {type(value).__name__}", row=indices[index], column=column
                )
        cleaned = preprocess_text(
            values, lowercase=lowercase, unicode_form=unicode_form, strip_accents=strip_accents
        )
        return {column: cleaned}

    return dataset.map(  # pyright: ignore[reportUnknownMemberType]  (untyped fn_kwargs dict)
        clean,
        batched=True,
        with_indices=True,
        batch_size=batch_size,
        num_proc=num_proc,
        desc="Cleaning text",
    )
