"""RemoteHub through the real huggingface_hub client against the loopback fake Hub."""

from __future__ import annotations

import pytest

from fakehub import FakeHub, FakeRepo
from fakehub.catalog import populate
from hf_ecosystem.errors import (
    AuthError,
    GatedRepoError,
    HubTimeoutError,
    InvalidRepoIdError,
    NetworkError,
    RepoNotFoundError,
    ServerError,
)
from hf_ecosystem.hub.remote import RemoteHub
from hf_ecosystem.hub.types import SearchFilters, Sort


@pytest.fixture
def hub(fake_hub: FakeHub) -> RemoteHub:
    populate(fake_hub)
    return RemoteHub(fake_hub.url, timeout=5)


def test_search_filters_by_every_field(hub: RemoteHub, fake_hub: FakeHub) -> None:
    repos = [r for r in fake_hub_repos(fake_hub) if r.kind == "model"]
    f = SearchFilters(task="text-classification", library="transformers", license="apache-2.0",
                      language="en", author="acme", tags=("tiny",))  # fmt: skip
    got = {m.id for m in hub.search_models(f, limit=100)}
    expected = {
        r.repo_id for r in repos
        if r.pipeline_tag == "text-classification" and r.library_name == "transformers"
        and r.license == "apache-2.0" and "en" in r.languages and r.repo_id.startswith("acme/")
        and "tiny" in r.tags
    }  # fmt: skip
    assert got == expected and got
    assert all(
        m.task == "text-classification" and m.license == "apache-2.0" for m in hub.search_models(f)
    )


def fake_hub_repos(fake_hub: FakeHub) -> list[FakeRepo]:
    return list(fake_hub._repos.values())  # type: ignore[attr-defined]


def test_query_is_substring(hub: RemoteHub) -> None:
    got = [m.id for m in hub.search_models(SearchFilters(query="BERT"), limit=100)]
    assert got and all("bert" in m.lower() for m in got)


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        (Sort.DOWNLOADS, lambda m: m.downloads),
        (Sort.LIKES, lambda m: m.likes),
        (Sort.TRENDING, lambda m: m.trending_score),
        (Sort.UPDATED, lambda m: m.last_modified),
    ],
)
def test_sorts_descending(hub: RemoteHub, sort: Sort, key) -> None:  # type: ignore[no-untyped-def]
    got = hub.search_models(SearchFilters(), sort, limit=30)
    values = [key(m) for m in got]
    assert len(got) == 30
    assert values == sorted(values, reverse=True)


def test_sort_by_name(hub: RemoteHub) -> None:
    got = [m.id for m in hub.search_models(SearchFilters(author="gamma"), Sort.NAME, limit=50)]
    assert got == sorted(got, key=str.lower)


def test_sort_by_name_orders_every_match_not_one_page(hub: RemoteHub) -> None:
    everything = [m.id for m in hub.search_models(SearchFilters(), Sort.DOWNLOADS, limit=100)]
    first_names = sorted(everything, key=lambda i: (i.lower(), i))[:5]
    assert [m.id for m in hub.search_models(SearchFilters(), Sort.NAME, limit=5)] == first_names
    pages = list(hub.iter_model_pages(SearchFilters(), Sort.NAME, page_size=7))
    ids = [m.id for page in pages for m in page]
    assert ids == sorted(everything, key=lambda i: (i.lower(), i))  # across page boundaries


def test_pages_follow_link_header(hub: RemoteHub, fake_hub: FakeHub) -> None:
    fake_hub.requests.clear()
    pages = list(hub.iter_model_pages(SearchFilters(), Sort.DOWNLOADS, page_size=7))
    assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
    ids = [m.id for p in pages for m in p]
    assert len(set(ids)) == 30
    listing = [r for r in fake_hub.requests if r[1].startswith("/api/models")]
    assert len(listing) == 5


def test_limit_stops_early(hub: RemoteHub, fake_hub: FakeHub) -> None:
    fake_hub.requests.clear()
    assert len(hub.search_models(SearchFilters(), limit=5)) == 5
    assert len([r for r in fake_hub.requests if r[1].startswith("/api/models")]) == 1


def test_summary_fields(hub: RemoteHub) -> None:
    (m,) = hub.search_models(SearchFilters(query="model-03"))
    assert m.author == "acme"
    assert m.task == "image-classification" and m.library == "transformers"
    assert m.license == "apache-2.0"
    assert m.languages == ("fr", "de")
    assert m.parameters == 4000
    assert m.last_modified is not None and m.last_modified.tzinfo is not None


def test_datasets(hub: RemoteHub) -> None:
    got = hub.search_datasets(SearchFilters(task="text-classification", language="en"), limit=50)
    assert len(got) == 8
    assert got[0].task == "text-classification" and got[0].languages == ("en",)
    downloads = [d.downloads or 0 for d in got]
    assert [d.downloads for d in got] == sorted(downloads, reverse=True)
    details = hub.dataset_info("acme/data-0")
    assert {f.path for f in details.files} == {"README.md", "train.csv"}


def test_model_info_files_and_card(hub: RemoteHub) -> None:
    details = hub.model_info("acme/model-00-bert")
    sizes = {f.path: f.size for f in details.files}
    assert sizes["config.json"] == len(b'{"model_type": "bert"}')
    assert details.total_size == sum(size or 0 for size in sizes.values())
    assert details.summary.parameters == 1000
    assert details.card_data.get("license") == "apache-2.0"
    assert details.sha and len(details.sha) == 40
    assert hub.card("acme/model-00-bert").startswith("---\nlicense: apache-2.0")
    assert [f.path for f in hub.files("acme/model-00-bert")] == ["README.md", "config.json"]


def test_card_missing_is_empty(fake_hub: FakeHub) -> None:
    fake_hub.add(FakeRepo("acme/no-card", files={"config.json": b"{}"}))
    assert RemoteHub(fake_hub.url).card("acme/no-card") == ""


def test_unknown_repo(hub: RemoteHub) -> None:
    with pytest.raises(RepoNotFoundError):
        hub.model_info("acme/nope")
    with pytest.raises(InvalidRepoIdError):
        hub.model_info("not a repo id")


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthError), (403, AuthError), (404, RepoNotFoundError), (500, ServerError),
     (503, ServerError), (429, NetworkError)],
)  # fmt: skip
def test_http_errors_become_clear_errors(
    hub: RemoteHub, fake_hub: FakeHub, status: int, error: type[Exception]
) -> None:
    fake_hub.fail("/api/models", status)
    with pytest.raises(error) as info:
        hub.search_models(SearchFilters())
    assert info.value.hint  # type: ignore[attr-defined]


def test_timeout(fake_hub: FakeHub) -> None:
    populate(fake_hub, 2, 0)
    fake_hub.delay("/api/models", 2.0)
    with pytest.raises(HubTimeoutError):
        RemoteHub(fake_hub.url, timeout=0.3).search_models(SearchFilters())


def test_unreachable_endpoint_is_network_error() -> None:
    with pytest.raises(NetworkError):
        RemoteHub("http://127.0.0.1:9", timeout=1).search_models(SearchFilters())


def test_private_and_gated(fake_hub: FakeHub) -> None:
    fake_hub.add(FakeRepo("acme/secret", private=True, files={"README.md": b"# s"}))
    fake_hub.add(FakeRepo("acme/gated", gated=True, files={"README.md": b"# g"}))
    fake_hub.add_token("hf_alice_token_123456", user="alice")
    with pytest.raises(RepoNotFoundError):
        RemoteHub(fake_hub.url).model_info("acme/secret")
    assert RemoteHub(fake_hub.url, token="hf_alice_token_123456").model_info("acme/secret")
    with pytest.raises(GatedRepoError):
        RemoteHub(fake_hub.url, token="hf_alice_token_123456").card("acme/gated")
    fake_hub.grant("alice", "acme/gated")
    assert RemoteHub(fake_hub.url, token="hf_alice_token_123456").card("acme/gated") == "# g"
