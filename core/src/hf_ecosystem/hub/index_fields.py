"""What the local index stores of a card: filter fields and search terms, as the Hub has them."""

from __future__ import annotations

from typing import Any, cast

from hf_ecosystem.hub.cards import ParsedCard, parse_card_text
from hf_ecosystem.hub.types import RepoKind


def term_key(prefix: str, value: str) -> str:
    """A filter term as stored in the terms table: `prefix:value`, lowercased."""
    return f"{prefix}:{value.strip().lower()}"


def card_fields(kind: RepoKind, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """IndexRecord fields and JSON-safe card data from card text; CardError when malformed."""
    if not text.lstrip().startswith("---"):
        # No front matter, nothing to parse; huggingface_hub would also log a warning per card.
        return {}, ParsedCard(body=text).to_dict()
    card = parse_card_text(text, kind)
    if kind == "dataset":
        raw = card.metadata.get("task_categories")
        categories: list[Any] = (
            [raw]
            if isinstance(raw, str)
            else cast("list[Any]", raw)
            if isinstance(raw, list)
            else []
        )
        task_list = [str(t) for t in categories if isinstance(t, str)]
        task = task_list[0] if task_list else card.pipeline_tag
    else:
        task_list = []
        task = card.pipeline_tag
    # On the Hub everything is a tag, so the tag filter sees library, languages and license too.
    tag_terms = [*card.tags, *card.languages, card.library_name, task]
    tag_terms += [f"license:{card.license}" if card.license else None]
    tag_terms += [f"dataset:{d}" for d in card.datasets]
    tag_terms += [f"base_model:{b}" for b in card.base_models]
    tag_terms += [f"task_categories:{t}" for t in task_list]
    terms = {term_key("tag", t) for t in tag_terms if t}
    terms |= {term_key("lang", lang) for lang in card.languages}
    fields = {
        "task": task,
        "library": card.library_name,
        "license": card.license,
        "languages": card.languages,
        "tags": card.tags,
        "terms": frozenset(terms),
    }
    return fields, card.to_dict()
