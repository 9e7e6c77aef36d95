"""Card parsing: realistic cards, malformed ones naming the problem and line, and a fuzz."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hf_ecosystem import parse_model_card
from hf_ecosystem.errors import CardError
from hf_ecosystem.hub.cards import parse_card_text, split_front_matter

MODEL_INDEX_CARD = """---
language:
- en
- fr
license: mit
base_model: google-bert/bert-base-uncased
pipeline_tag: text-classification
library_name: transformers
datasets:
- imdb
tags:
- sentiment
model-index:
- name: bert-imdb
  results:
  - task:
      type: text-classification
      name: Text Classification
    dataset:
      name: IMDB
      type: imdb
      split: test
    metrics:
    - type: accuracy
      value: 0.93
      name: Accuracy
    - type: f1
      value: 0.92
---

# bert-imdb

| metric | value |
|---|---|
| accuracy | 0.93 |
"""


def test_real_minilm_card(minilm_path: Path) -> None:
    card = parse_model_card(minilm_path / "README.md")
    assert card.license == "apache-2.0"
    assert card.library_name == "sentence-transformers"
    assert card.pipeline_tag == "sentence-similarity"
    assert "ms_marco" in card.datasets
    assert card.languages == ("en",)
    assert "sentence-transformers" in card.tags
    assert card.body.lstrip().startswith("#")
    assert "---" not in card.body.splitlines()[0]


def test_model_index_results_become_rows() -> None:
    card = parse_model_card(MODEL_INDEX_CARD)
    assert card.model_name == "bert-imdb"
    assert card.base_models == ("google-bert/bert-base-uncased",)
    assert card.languages == ("en", "fr")
    rows = {(r.dataset, r.metric): r.value for r in card.results}
    assert rows == {("IMDB", "Accuracy"): 0.93, ("IMDB", "f1"): 0.92}
    assert all(r.task == "Text Classification" and r.split == "test" for r in card.results)
    assert card.to_dict()["results"][0]["value"] == 0.93


def test_card_without_front_matter_is_all_body() -> None:
    card = parse_model_card("# Title\n\nJust text.\n")
    assert card.metadata == {} and card.license is None
    assert card.body == "# Title\n\nJust text.\n"


def test_invalid_yaml_names_the_line() -> None:
    text = "---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n# body\n"
    with pytest.raises(CardError) as info:
        parse_card_text(text)
    err = info.value
    assert err.line is not None and 3 <= err.line <= 5
    assert "invalid YAML" in err.problem
    assert err.raw == text  # the raw text stays available to show
    assert "line" in err.title


def test_unclosed_front_matter() -> None:
    with pytest.raises(CardError, match="never closed") as info:
        parse_card_text("---\nlicense: mit\n# no closing line\n")
    assert info.value.line == 1


def test_front_matter_not_a_mapping() -> None:
    with pytest.raises(CardError, match="not a mapping"):
        parse_card_text("---\n- just\n- a list\n---\nbody\n")


def test_broken_model_index_names_it() -> None:
    text = "---\nlicense: mit\nmodel-index:\n- name: x\n  results:\n  - metrics: 3\n---\nbody\n"
    with pytest.raises(CardError) as info:
        parse_card_text(text)
    assert "model-index" in info.value.problem
    assert info.value.line == 3


def test_split_front_matter_keeps_crlf_body() -> None:
    meta, body = split_front_matter("---\r\nlicense: mit\r\n---\r\nhello\r\n")
    assert meta == {"license": "mit"}
    assert body == "hello\r\n"


def test_repo_id_goes_through_backend(fake_hub) -> None:  # type: ignore[no-untyped-def]
    from fakehub import FakeRepo
    from hf_ecosystem.hub.remote import RemoteHub

    fake_hub.add(FakeRepo("org/carded", files={"README.md": MODEL_INDEX_CARD.encode()}))
    card = parse_model_card("org/carded", backend=RemoteHub(fake_hub.url))
    assert card.license == "mit"


def test_unreadable_path_is_a_clear_error(tmp_path: Path) -> None:
    from hf_ecosystem.errors import HfEcoError

    with pytest.raises(HfEcoError, match="Cannot read card file"):
        parse_model_card(tmp_path / "missing.md")
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CardError, match="not UTF-8"):
        parse_model_card(binary)


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_fuzz_any_text_raises_only_card_error(text: str) -> None:
    try:
        parse_card_text("---\n" + text + "\n---\nbody")
        parse_card_text(text)
    except CardError as exc:
        assert exc.title.startswith("Malformed card")


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["license", "tags", "language", "datasets", "model-index", "base_model", "x"]
        ),
        _yaml_values,
        max_size=5,
    )
)
def test_fuzz_structured_metadata_raises_only_card_error(meta: dict) -> None:  # type: ignore[type-arg]
    import yaml

    text = "---\n" + yaml.safe_dump(meta) + "---\n# body\n"
    try:
        card = parse_card_text(text)
    except CardError:
        return
    assert isinstance(card.tags, tuple)
    assert all(isinstance(t, str) for t in card.tags)
