"""The real ``huggingface_hub`` client (over real loopback HTTP) against ``tests/fakehub``.

``huggingface_hub`` reads ``HF_ENDPOINT`` (and ``HF_HUB_DISABLE_XET``, timeouts, ...) at import
time, so every call here passes ``endpoint=hub.url`` explicitly.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from huggingface_hub import HfApi, constants, hf_hub_download, snapshot_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

# Same import style as tests/conftest.py (which puts tests/ on sys.path); also works with
# --noconftest.
_TESTS_DIR = str(Path(__file__).resolve().parents[1])
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from fakehub import FakeHub, FakeRepo  # noqa: E402

pytestmark = pytest.mark.timeout(60)

TOKEN = "hf_fake_alice"
README = b"---\nlicense: apache-2.0\ntags:\n- text-classification\nlanguage:\n- en\n---\n# Card\n"
CONFIG = b'{"model_type": "bert", "hidden_size": 8}'


@pytest.fixture(scope="module")
def _server():
    with FakeHub() as hub:
        yield hub


@pytest.fixture
def hub(_server: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    _server.reset()
    _server.page_size = 50
    monkeypatch.delenv("HF_TOKEN", raising=False)
    # HF_HUB_DISABLE_XET is read into `constants` at import: patch both the env and the constant.
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    return _server


@pytest.fixture
def api(hub: FakeHub) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)


def _model(repo_id: str, **kwargs) -> FakeRepo:
    kwargs.setdefault("files", {"README.md": README, "config.json": CONFIG})
    return FakeRepo(repo_id, **kwargs)


def _queries(hub: FakeHub, path: str) -> list[dict[str, list[str]]]:
    out = []
    for method, full, _headers in hub.requests:
        split = urlsplit(full)
        if method == "GET" and split.path == path:
            out.append(parse_qs(split.query))
    return out


def _seed_models(hub: FakeHub) -> None:
    hub.add(
        _model(
            "google/bert-tiny",
            pipeline_tag="fill-mask",
            library_name="transformers",
            languages=["en"],
            license="apache-2.0",
            downloads=500,
            likes=3,
            trending_score=1.0,
            created_at=datetime(2021, 1, 1, tzinfo=UTC),
            last_modified=datetime(2024, 3, 1, tzinfo=UTC),
            parameters={"F32": 4_000_000},
        )
    )
    hub.add(
        _model(
            "google/t5-small",
            pipeline_tag="text2text-generation",
            library_name="transformers",
            languages=["en", "fr"],
            license="apache-2.0",
            downloads=900,
            likes=1,
            trending_score=5.0,
            created_at=datetime(2020, 1, 1, tzinfo=UTC),
            last_modified=datetime(2023, 1, 1, tzinfo=UTC),
        )
    )
    hub.add(
        _model(
            "alice/BERT-finetuned",
            pipeline_tag="text-classification",
            library_name="pytorch",
            tags=["finetuned"],
            license="mit",
            downloads=10,
            likes=50,
            trending_score=9.0,
            created_at=datetime(2024, 5, 1, tzinfo=UTC),
            last_modified=datetime(2024, 5, 2, tzinfo=UTC),
        )
    )


# ----------------------------------------------------------------------------------------------
# listing
# ----------------------------------------------------------------------------------------------


def test_list_models_fields(hub: FakeHub, api: HfApi) -> None:
    _seed_models(hub)
    models = {m.id: m for m in api.list_models()}
    assert set(models) == {"google/bert-tiny", "google/t5-small", "alice/BERT-finetuned"}
    bert = models["google/bert-tiny"]
    assert bert.author == "google"
    assert bert.pipeline_tag == "fill-mask"
    assert bert.library_name == "transformers"
    assert bert.tags == ["transformers", "en", "license:apache-2.0"]
    assert bert.downloads == 500
    assert bert.likes == 3
    assert bert.trending_score == 1.0
    assert bert.created_at == datetime(2021, 1, 1, tzinfo=UTC)
    assert bert.last_modified == datetime(2024, 3, 1, tzinfo=UTC)
    assert bert.private is False
    assert bert.gated is False
    assert bert.safetensors is not None
    assert bert.safetensors.total == 4_000_000
    assert bert.siblings is None  # not requested
    assert models["alice/BERT-finetuned"].tags == ["finetuned", "pytorch", "license:mit"]


def test_list_models_search_author_filter_pipeline(hub: FakeHub, api: HfApi) -> None:
    _seed_models(hub)

    def ids(**kwargs) -> list[str]:
        return sorted(m.id for m in api.list_models(**kwargs))

    assert ids(search="bert") == ["alice/BERT-finetuned", "google/bert-tiny"]
    assert ids(author="google") == ["google/bert-tiny", "google/t5-small"]
    assert ids(filter="transformers") == ["google/bert-tiny", "google/t5-small"]
    assert ids(filter=["transformers", "fr"]) == ["google/t5-small"]
    assert ids(filter="license:mit") == ["alice/BERT-finetuned"]
    assert ids(filter="finetuned") == ["alice/BERT-finetuned"]
    assert ids(pipeline_tag="fill-mask") == ["google/bert-tiny"]
    assert ids(search="bert", author="google") == ["google/bert-tiny"]
    assert ids(search="nothing-matches") == []

    sent = _queries(hub, "/api/models")
    assert {"filter": ["transformers", "fr"]} in sent
    assert {"search": ["bert"], "author": ["google"]} in sent


@pytest.mark.parametrize(
    ("sort", "sent", "expected_first"),
    [
        ("downloads", "downloads", "google/t5-small"),
        ("likes", "likes", "alice/BERT-finetuned"),
        ("trending_score", "trendingScore", "alice/BERT-finetuned"),
        ("last_modified", "lastModified", "alice/BERT-finetuned"),
        ("created_at", "createdAt", "alice/BERT-finetuned"),
    ],
)
def test_list_models_sort_and_limit(
    hub: FakeHub, api: HfApi, sort: str, sent: str, expected_first: str
) -> None:
    _seed_models(hub)
    models = list(api.list_models(sort=sort, limit=2))  # type: ignore[arg-type]
    assert len(models) == 2
    assert models[0].id == expected_first
    # The client maps snake_case sort names to the Hub's camelCase ones and never sends `direction`.
    assert _queries(hub, "/api/models") == [{"sort": [sent], "limit": ["2"]}]


def test_list_models_paginates_with_link_header(hub: FakeHub, api: HfApi) -> None:
    hub.page_size = 2
    for i in range(7):
        hub.add(FakeRepo(f"org/model-{i}", downloads=i))

    everything = [m.id for m in api.list_models(sort="downloads")]
    assert everything == [f"org/model-{i}" for i in range(6, -1, -1)]
    pages = _queries(hub, "/api/models")
    assert len(pages) == 4
    assert [q.get("cursor") for q in pages] == [None, ["2"], ["4"], ["6"]]
    assert all(q["sort"] == ["downloads"] for q in pages)  # next links keep the query

    hub.requests.clear()
    limited = [m.id for m in api.list_models(sort="downloads", limit=5)]
    assert limited == [f"org/model-{i}" for i in range(6, 1, -1)]
    assert len(_queries(hub, "/api/models")) == 3  # stops following `next` once it has 5


def test_list_datasets(hub: FakeHub, api: HfApi) -> None:
    hub.add(
        FakeRepo(
            "nyu/glue-lite",
            kind="dataset",
            tags=["task_categories:text-classification"],
            languages=["en"],
            license="cc-by-4.0",
            downloads=7,
        )
    )
    hub.add(FakeRepo("bob/french-news", kind="dataset", languages=["fr"], downloads=70))
    hub.add(_model("nyu/not-a-dataset"))

    assert [d.id for d in api.list_datasets(sort="downloads")] == [
        "bob/french-news",
        "nyu/glue-lite",
    ]
    assert [d.id for d in api.list_datasets(author="nyu")] == ["nyu/glue-lite"]
    assert [d.id for d in api.list_datasets(search="FRENCH")] == ["bob/french-news"]
    assert [d.id for d in api.list_datasets(language="en")] == ["nyu/glue-lite"]
    assert [d.id for d in api.list_datasets(task_categories="text-classification")] == [
        "nyu/glue-lite"
    ]
    glue = next(iter(api.list_datasets(filter="license:cc-by-4.0")))
    assert glue.tags == ["task_categories:text-classification", "en", "license:cc-by-4.0"]
    assert {"filter": ["language:en"]} in _queries(hub, "/api/datasets")


# ----------------------------------------------------------------------------------------------
# repo info
# ----------------------------------------------------------------------------------------------


def test_model_info_with_files_metadata(hub: FakeHub, api: HfApi) -> None:
    weights = b"\x00" * 1234
    repo = hub.add(
        _model(
            "org/tiny",
            files={"README.md": README, "config.json": CONFIG, "model.safetensors": weights},
            parameters={"F16": 600, "F32": 17},
            pipeline_tag="text-classification",
        )
    )

    info = api.model_info("org/tiny", files_metadata=True)
    assert info.id == "org/tiny"
    assert info.sha == repo.sha
    assert info.sha is not None and len(info.sha) == 40
    sizes = {s.rfilename: s.size for s in info.siblings or []}
    assert sizes == {
        "README.md": len(README),
        "config.json": len(CONFIG),
        "model.safetensors": 1234,
    }
    lfs = {s.rfilename: s.lfs for s in info.siblings or []}
    assert lfs["config.json"] is None
    assert lfs["model.safetensors"] is not None
    assert lfs["model.safetensors"].size == 1234
    assert info.safetensors is not None
    assert info.safetensors.parameters == {"F16": 600, "F32": 17}
    assert info.safetensors.total == 617
    assert info.card_data is not None
    assert info.card_data.license == "apache-2.0"
    assert info.card_data.language == ["en"]
    assert info.used_storage == len(README) + len(CONFIG) + 1234
    assert ("GET", "/api/models/org/tiny?blobs=true") in [(m, p) for m, p, _ in hub.requests]

    plain = api.model_info("org/tiny")
    assert [s.size for s in plain.siblings or []] == [None, None, None]

    assert api.model_info("org/tiny", revision=repo.sha).sha == repo.sha
    with pytest.raises(RevisionNotFoundError):
        api.model_info("org/tiny", revision="does-not-exist")


def test_dataset_info(hub: FakeHub, api: HfApi) -> None:
    card = b"---\npretty_name: Glue Lite\nlicense: mit\n---\nHello\n"
    repo = hub.add(
        FakeRepo(
            "nyu/glue-lite",
            kind="dataset",
            files={"README.md": card, "data/train.parquet": b"PAR1" * 10},
            license="mit",
        )
    )
    info = api.dataset_info("nyu/glue-lite", files_metadata=True)
    assert info.id == "nyu/glue-lite"
    assert info.sha == repo.sha
    assert info.tags == ["license:mit"]
    assert info.card_data is not None
    assert info.card_data.pretty_name == "Glue Lite"
    assert {s.rfilename: s.size for s in info.siblings or []} == {
        "README.md": len(card),
        "data/train.parquet": 40,
    }
    tree = sorted(
        f.path for f in api.list_repo_tree("nyu/glue-lite", repo_type="dataset", recursive=True)
    )
    assert tree == ["README.md", "data", "data/train.parquet"]
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nyu/glue-lite")  # wrong repo type


def test_unknown_repo_raises_repository_not_found(hub: FakeHub, api: HfApi, tmp_path) -> None:
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nobody/nothing")
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(
            "nobody/nothing", "config.json", endpoint=hub.url, cache_dir=tmp_path, token=False
        )


# ----------------------------------------------------------------------------------------------
# auth
# ----------------------------------------------------------------------------------------------


def test_whoami(hub: FakeHub) -> None:
    hub.add_token(TOKEN, user="alice", role="read")
    me = HfApi(endpoint=hub.url, token=TOKEN).whoami()
    assert me["name"] == "alice"
    assert me["type"] == "user"
    assert me["auth"]["accessToken"]["role"] == "read"
    assert hub.requests[-1][2]["authorization"] == f"Bearer {TOKEN}"

    with pytest.raises(HfHubHTTPError) as excinfo:
        HfApi(endpoint=hub.url, token="hf_wrong").whoami()
    assert excinfo.value.response.status_code == 401
    assert "Invalid user token" in str(excinfo.value)


def test_private_repo_needs_a_valid_token(hub: FakeHub, api: HfApi, tmp_path) -> None:
    hub.add_token(TOKEN)
    hub.add(_model("alice/secret", private=True))
    hub.add(_model("alice/public"))
    authed = HfApi(endpoint=hub.url, token=TOKEN)

    with pytest.raises(RepositoryNotFoundError):
        api.model_info("alice/secret")
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=hub.url, token="hf_wrong").model_info("alice/secret")
    assert [m.id for m in api.list_models(author="alice")] == ["alice/public"]

    assert authed.model_info("alice/secret").private is True
    assert sorted(m.id for m in authed.list_models(author="alice")) == [
        "alice/public",
        "alice/secret",
    ]
    path = hf_hub_download(
        "alice/secret", "config.json", endpoint=hub.url, cache_dir=tmp_path, token=TOKEN
    )
    assert Path(path).read_bytes() == CONFIG


def test_gated_repo(hub: FakeHub, api: HfApi, tmp_path) -> None:
    hub.add_token(TOKEN, user="alice")
    hub.add(_model("meta/gated-llm", gated=True))

    info = api.model_info("meta/gated-llm")  # metadata stays public
    assert info.gated == "auto"

    with pytest.raises(GatedRepoError) as anon:
        hf_hub_download(
            "meta/gated-llm", "config.json", endpoint=hub.url, cache_dir=tmp_path, token=False
        )
    assert anon.value.response.status_code == 401

    with pytest.raises(GatedRepoError) as denied:
        hf_hub_download(
            "meta/gated-llm", "config.json", endpoint=hub.url, cache_dir=tmp_path, token=TOKEN
        )
    assert denied.value.response.status_code == 403

    hub.grant("alice", "meta/gated-llm")
    path = hf_hub_download(
        "meta/gated-llm", "config.json", endpoint=hub.url, cache_dir=tmp_path, token=TOKEN
    )
    assert Path(path).read_bytes() == CONFIG


# ----------------------------------------------------------------------------------------------
# downloads
# ----------------------------------------------------------------------------------------------


def test_hf_hub_download_readme_and_config(hub: FakeHub, tmp_path) -> None:
    repo = hub.add(_model("org/tiny"))
    readme = hf_hub_download("org/tiny", "README.md", endpoint=hub.url, cache_dir=tmp_path)
    config = hf_hub_download("org/tiny", "config.json", endpoint=hub.url, cache_dir=tmp_path)
    assert Path(readme).read_bytes() == README
    assert Path(config).read_bytes() == CONFIG
    assert f"snapshots/{repo.sha}/" in Path(config).as_posix()
    assert (tmp_path / "models--org--tiny" / "refs" / "main").read_text() == repo.sha

    calls = [(m, p) for m, p, _ in hub.requests]
    assert calls == [
        ("HEAD", "/org/tiny/resolve/main/README.md"),
        ("GET", "/org/tiny/resolve/main/README.md"),
        ("HEAD", "/org/tiny/resolve/main/config.json"),
        ("GET", "/org/tiny/resolve/main/config.json"),
    ]

    with pytest.raises(EntryNotFoundError):
        hf_hub_download("org/tiny", "missing.bin", endpoint=hub.url, cache_dir=tmp_path)


def test_head_and_range_headers(hub: FakeHub) -> None:
    hub.add(_model("org/tiny"))
    url = f"{hub.url}/org/tiny/resolve/main/config.json"
    head = httpx2.head(url)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(CONFIG))
    assert head.headers["etag"].startswith('"')
    assert "x-repo-commit" in head.headers
    assert "x-xet-hash" not in head.headers

    part = httpx2.get(url, headers={"Range": "bytes=5-"})
    assert part.status_code == 206
    assert part.content == CONFIG[5:]
    assert part.headers["content-range"] == f"bytes 5-{len(CONFIG) - 1}/{len(CONFIG)}"


def test_snapshot_download(hub: FakeHub, tmp_path) -> None:
    files = {
        "README.md": README,
        "config.json": CONFIG,
        "tokenizer/vocab.txt": b"[PAD]\n[UNK]\nhello\n",
        "model.safetensors": b"\x01" * 2048,
    }
    repo = hub.add(FakeRepo("org/small", files=files))
    folder = Path(snapshot_download("org/small", endpoint=hub.url, cache_dir=tmp_path))
    assert folder.name == repo.sha
    got = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
    assert got == files
    paths = [p for _, p, _ in hub.requests]
    assert "/api/models/org/small/revision/main" in paths
    assert f"/api/models/org/small/tree/{repo.sha}?recursive=true&expand=false" in paths


# ----------------------------------------------------------------------------------------------
# error injection
# ----------------------------------------------------------------------------------------------


def test_injected_500_raises_hf_hub_http_error(hub: FakeHub, api: HfApi) -> None:
    hub.add(_model("org/tiny"))
    hub.fail("/api/models/org/tiny", 500)
    with pytest.raises(HfHubHTTPError) as excinfo:
        api.model_info("org/tiny")  # model_info does not retry
    assert excinfo.value.response.status_code == 500
    assert api.model_info("org/tiny").id == "org/tiny"  # `times=1` is used up


def test_list_models_retries_through_a_503(hub: FakeHub, api: HfApi) -> None:
    # Listing goes through `http_backoff`: a 5xx is retried after ~1 s instead of raising.
    hub.add(_model("org/tiny"))
    hub.fail("/api/models", 503)
    assert [m.id for m in api.list_models()] == ["org/tiny"]
    assert len(_queries(hub, "/api/models")) == 2


def test_delayed_response_hits_client_timeout(hub: FakeHub, api: HfApi) -> None:
    hub.add(_model("org/tiny"))
    hub.delay("/api/models/org/tiny", 2.0)
    started = time.monotonic()
    with pytest.raises(httpx2.TimeoutException):
        api.model_info("org/tiny", timeout=0.2)
    assert time.monotonic() - started < 1.5
    assert api.model_info("org/tiny", timeout=2).id == "org/tiny"


def test_head_timeout_is_retried_by_hf_hub_download(hub: FakeHub, tmp_path) -> None:
    hub.add(_model("org/tiny"))
    hub.delay("/org/tiny/resolve/", 2.0)
    started = time.monotonic()
    path = hf_hub_download(
        "org/tiny", "config.json", endpoint=hub.url, cache_dir=tmp_path, etag_timeout=0.2
    )
    assert time.monotonic() - started < 1.5
    assert Path(path).read_bytes() == CONFIG
    heads = [p for m, p, _ in hub.requests if m == "HEAD"]
    assert heads == ["/org/tiny/resolve/main/config.json"] * 2
    assert not hub.server_errors
