"""The course's one-call API: search_models() / search_datasets() exported from hf_ecosystem."""

from __future__ import annotations

from pathlib import Path

from fakehub import FakeHub
from fakehub.catalog import populate
from hf_ecosystem import SearchFilters, Sort, search_datasets, search_models
from hf_ecosystem.hub.remote import RemoteHub


def test_search_models_online_with_keywords(fake_hub: FakeHub) -> None:
    populate(fake_hub)
    got = search_models("model", task="text-classification", tags=["tiny"], sort="likes", limit=3)
    assert 0 < len(got) <= 3
    assert all(m.task == "text-classification" and "tiny" in m.tags for m in got)
    assert [m.likes for m in got] == sorted((m.likes or 0 for m in got), reverse=True)


def test_keywords_extend_a_filters_object(fake_hub: FakeHub) -> None:
    populate(fake_hub)
    base = SearchFilters(author="gamma")
    got = search_models(
        filters=base, license="cc-by-nc-4.0", backend=RemoteHub(fake_hub.url), limit=50
    )
    assert got and all(m.author == "gamma" and m.license == "cc-by-nc-4.0" for m in got)


def test_search_datasets_offline(isolated_env: Path) -> None:
    folder = isolated_env / "hftui_home" / "hub" / "datasets" / "me" / "reviews"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(
        "---\nlicense: cc-by-4.0\ntask_categories:\n- text-classification\n---\n# r\n",
        encoding="utf-8",
    )
    (folder / "train.csv").write_text("text,label\nok,1\n", encoding="utf-8")
    got = search_datasets("review", offline=True, sort=Sort.NAME)
    assert [d.id for d in got] == ["me/reviews"]
    assert got[0].license == "cc-by-4.0" and got[0].task == "text-classification"
