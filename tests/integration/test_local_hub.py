"""LocalHub over a generated tree of repo folders and a real-layout huggingface_hub cache."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import huggingface_hub
import numpy as np
import pytest
from safetensors.numpy import save_file

from hf_ecosystem.errors import InvalidRepoIdError, RepoNotFoundError
from hf_ecosystem.hub.backend import HubBackend
from hf_ecosystem.hub.local import LocalHub, RefreshStats
from hf_ecosystem.hub.types import RepoKind, SearchFilters, Sort

ORGS = ["acme", "Globex", "initech", "umbrella-ai", "hooli", "x"]
MODEL_TASKS = ["text-classification", "text-generation", "fill-mask", "image-classification"]
DATASET_TASKS = ["text-classification", "question-answering", "summarization"]
LIBRARIES = ["transformers", "sentence-transformers", "timm", "diffusers", None]
LICENSES = ["apache-2.0", "mit", "cc-by-4.0", "other", None]
LANGUAGES = ["en", "fr", "de", "ja", "zh"]
TAGS = ["bert", "gpt", "vision", "tiny", "Experimental", "safe"]
WORDS = ["bert", "gpt", "vit", "roberta", "mini", "tiny", "large", "squad", "imdb", "wiki"]
BASE_TIME = 1_700_000_000
N_MODELS, N_DATASETS = 150, 70


@dataclass
class Spec:
    """A generated repo and the metadata its card declares (the ground truth for the checks)."""

    kind: RepoKind
    id: str
    mtime: int
    task: str | None = None
    library: str | None = None
    license: str | None = None
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    files: dict[str, int] = field(default_factory=dict)
    parameters: int | None = None
    card: str | None = None
    broken: bool = False

    @property
    def author(self) -> str | None:
        return self.id.split("/")[0] if "/" in self.id else None

    @property
    def tag_terms(self) -> set[str]:
        terms = [*self.tags, *self.languages, self.library, self.task]
        terms.append(f"license:{self.license}" if self.license else None)
        if self.kind == "dataset" and self.task:
            terms.append(f"task_categories:{self.task}")
        return {t.lower() for t in terms if t}


@dataclass
class Tree:
    root: Path
    specs: list[Spec]

    def of(self, kind: RepoKind) -> list[Spec]:
        return [s for s in self.specs if s.kind == kind]

    def get(self, repo_id: str) -> Spec:
        return next(s for s in self.specs if s.id == repo_id)


def _card(spec: Spec, rng: random.Random) -> str:
    meta: dict[str, Any] = {}
    if spec.license:
        meta["license"] = spec.license
    if spec.languages:
        meta["language"] = list(spec.languages)
    if spec.tags:
        meta["tags"] = list(spec.tags)
    if spec.kind == "model":
        if spec.task:
            meta["pipeline_tag"] = spec.task
        if spec.library:
            meta["library_name"] = spec.library
        if rng.random() < 0.3:
            meta["datasets"] = ["acme/imdb-mini"]
    elif spec.task:
        meta["task_categories"] = [spec.task]
    front = json.dumps(meta)  # JSON is YAML, and keeps the generator free of a YAML writer
    return f"---\n{front}\n---\n\n# {spec.id}\n\nA generated {spec.kind} for tests.\n"


def _write_safetensors(folder: Path, name: str, shapes: list[tuple[int, ...]]) -> int:
    arrays = {f"t{i}": np.zeros(shape, dtype=np.float32) for i, shape in enumerate(shapes)}
    save_file(arrays, str(folder / name))
    return sum(int(np.prod(shape)) for shape in shapes)


def _make_specs(rng: random.Random) -> list[Spec]:
    specs: list[Spec] = []
    times = rng.sample(range(N_MODELS + N_DATASETS), N_MODELS + N_DATASETS)
    for i in range(N_MODELS + N_DATASETS):
        kind: RepoKind = "model" if i < N_MODELS else "dataset"
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i}"
        repo_id = name if i % 37 == 0 else f"{rng.choice(ORGS)}/{name}"
        spec = Spec(kind, repo_id, mtime=BASE_TIME + times[i] * 60)
        spec.task = rng.choice([*(MODEL_TASKS if kind == "model" else DATASET_TASKS), None])
        spec.library = rng.choice(LIBRARIES) if kind == "model" else None
        spec.license = rng.choice(LICENSES)
        spec.languages = tuple(rng.sample(LANGUAGES, rng.randint(0, 2)))
        spec.tags = tuple(rng.sample(TAGS, rng.randint(0, 3)))
        spec.card = _card(spec, rng)
        specs.append(spec)
    return specs


def _write_sharded(folder: Path) -> int:
    first = _write_safetensors(folder, "model-00001-of-00003.safetensors", [(64, 32), (32,)])
    second = _write_safetensors(folder, "model-00002-of-00003.safetensors", [(10, 10, 10)])
    shards = [f"model-0000{i}-of-00003.safetensors" for i in (1, 1, 2, 3)]
    weight_map = dict(zip(["t0", "t1", "u", "v"], shards, strict=True))
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    return first + second  # the third shard is not there: count what is present


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    rng = random.Random(20240601)
    root = tmp_path_factory.mktemp("hub")
    specs = _make_specs(rng)
    broken, bare = specs[3], specs[4]
    broken.card = "---\nlicense: [mit\ntags: oops\n---\n# broken\n"
    broken.broken = True
    for spec in (broken, bare):
        spec.task = spec.library = spec.license = None
        spec.languages = spec.tags = ()
    bare.card = None
    for i, spec in enumerate(specs):
        folder = root / f"{spec.kind}s" / spec.id
        folder.mkdir(parents=True)
        if spec.card is not None:
            (folder / "README.md").write_text(spec.card)
        (folder / "config.json").write_text(json.dumps({"name": spec.id}))
        if spec.kind == "dataset":
            (folder / "data").mkdir()
            lines = "a,1\n" * rng.randint(1, 50)
            (folder / "data" / "train.csv").write_text(f"text,label\n{lines}")
        elif i == 7:
            spec.parameters = _write_sharded(folder)
        elif i % 10 == 5:
            shapes = [tuple(rng.randint(1, 40) for _ in range(rng.randint(1, 3))) for _ in range(3)]
            spec.parameters = _write_safetensors(folder, "model.safetensors", shapes)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            os.utime(path, (spec.mtime, spec.mtime))
            spec.files[path.relative_to(folder).as_posix()] = path.stat().st_size
    # Noise the walker must ignore: a hidden folder, a .git folder, an invalid repo name.
    (root / "models" / ".trash" / "junk").mkdir(parents=True)
    (root / "models" / "acme" / "bad--name").mkdir(parents=True)
    (root / "models" / "acme" / "bad--name" / "README.md").write_text("# x\n")
    git = root / "models" / specs[1].id / ".git"
    git.mkdir()
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    return Tree(root, specs)


@pytest.fixture(scope="module")
def hub(tree: Tree, tmp_path_factory: pytest.TempPathFactory) -> LocalHub:
    index = tmp_path_factory.mktemp("index") / "nested" / "index.sqlite"
    return LocalHub([tree.root], index)


# ------------------------------------------------------------------ references


def _matches(spec: Spec, f: SearchFilters) -> bool:
    haystack = "\n".join([spec.id, *spec.tags]).lower()
    if not all(term in haystack for term in f.query.lower().split()):
        return False
    for wanted, actual in (
        (f.task, spec.task),
        (f.library, spec.library),
        (f.license, spec.license),
        (f.author, spec.author),
    ):
        if wanted and (actual or "").lower() != wanted.lower():
            return False
    if f.language and f.language.lower() not in {lang.lower() for lang in spec.languages}:
        return False
    return all(t.lower() in spec.tag_terms for t in f.tags)


def _name_key(spec: Spec) -> tuple[str, str]:
    return (spec.id.lower(), spec.id)


SORT_KEYS: dict[Sort, Callable[[Spec], Any]] = {
    Sort.NAME: _name_key,
    Sort.DOWNLOADS: _name_key,  # unknown locally: falls back to name
    Sort.LIKES: _name_key,
    Sort.TRENDING: _name_key,
    Sort.UPDATED: lambda s: (-s.mtime, *_name_key(s)),
}


def _expected(tree: Tree, kind: RepoKind, f: SearchFilters, sort: Sort = Sort.NAME) -> list[str]:
    return [s.id for s in sorted((s for s in tree.of(kind) if _matches(s, f)), key=SORT_KEYS[sort])]


def _search(hub: LocalHub, kind: RepoKind, f: SearchFilters, sort: Sort = Sort.NAME) -> list[str]:
    search = hub.search_models if kind == "model" else hub.search_datasets
    return [r.id for r in search(f, sort, 10_000)]


# ----------------------------------------------------------------------- tests


def test_protocol_and_description(hub: LocalHub, tree: Tree) -> None:
    assert isinstance(hub, HubBackend)
    assert hub.is_offline
    assert hub.count() == len(tree.specs)
    assert hub.count("model") == N_MODELS
    assert hub.count("dataset") == N_DATASETS
    assert hub.description == f"offline · local hub · {len(tree.specs)} repos"


@pytest.mark.parametrize("kind", ["model", "dataset"])
@pytest.mark.parametrize("sort", list(Sort))
def test_every_sort_matches_reference(
    hub: LocalHub, tree: Tree, kind: RepoKind, sort: Sort
) -> None:
    assert _search(hub, kind, SearchFilters(), sort) == _expected(tree, kind, SearchFilters(), sort)


FILTERS = [
    SearchFilters(task="text-classification"),
    SearchFilters(task="TEXT-GENERATION"),
    SearchFilters(task="question-answering"),
    SearchFilters(library="transformers"),
    SearchFilters(library="Timm"),
    SearchFilters(license="mit"),
    SearchFilters(license="Apache-2.0"),
    SearchFilters(author="globex"),
    SearchFilters(author="acme"),
    SearchFilters(language="fr"),
    SearchFilters(language="EN"),
    SearchFilters(tags=("bert",)),
    SearchFilters(tags=("experimental", "tiny")),
    SearchFilters(tags=("license:cc-by-4.0",)),
    SearchFilters(tags=("ja", "transformers")),
    SearchFilters(tags=("fill-mask",)),
    SearchFilters(tags=("task_categories:summarization",)),
    SearchFilters(query="bert"),
    SearchFilters(query="BERT-mini"),
    SearchFilters(query="roberta tiny"),
    SearchFilters(query="globex/"),
    SearchFilters(query="ex"),
    SearchFilters(query="7"),
    SearchFilters(query="ta 1"),
    SearchFilters(query="100%"),
    SearchFilters(query='"quoted"'),
    SearchFilters(query="bert", task="fill-mask", license="mit"),
    SearchFilters(query="gpt", language="en", tags=("tiny",)),
]
ODD_QUERIES = ("100%", '"quoted"')


@pytest.mark.parametrize("kind", ["model", "dataset"])
@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_filters_match_reference(
    hub: LocalHub, tree: Tree, kind: RepoKind, filters: SearchFilters
) -> None:
    for sort in (Sort.NAME, Sort.UPDATED):
        assert _search(hub, kind, filters, sort) == _expected(tree, kind, filters, sort)


def test_filters_are_not_vacuous(tree: Tree) -> None:
    # Each filter above should select something in at least one kind, or the comparison is empty.
    for f in FILTERS:
        if f.query in ODD_QUERIES:
            continue
        assert any(_expected(tree, k, f) for k in ("model", "dataset")), f
    assert len(_expected(tree, "model", SearchFilters(query="bert"))) > 10


def test_limit_and_pages(hub: LocalHub, tree: Tree) -> None:
    everything = _expected(tree, "model", SearchFilters(), Sort.UPDATED)
    assert [r.id for r in hub.search_models(SearchFilters(), Sort.UPDATED, 7)] == everything[:7]
    assert hub.search_models(SearchFilters(), Sort.NAME, 0) == []
    pages = list(hub.iter_model_pages(SearchFilters(), Sort.UPDATED, page_size=13))
    assert [len(p) for p in pages[:-1]] == [13] * (len(pages) - 1)
    assert 0 < len(pages[-1]) <= 13
    assert [r.id for page in pages for r in page] == everything
    f = SearchFilters(query="bert")
    dataset_pages = list(hub.iter_dataset_pages(f, Sort.NAME, page_size=5))
    assert [r.id for p in dataset_pages for r in p] == _expected(tree, "dataset", f)
    assert list(hub.iter_model_pages(SearchFilters(query="no-such-thing"))) == []


def test_summary_fields(hub: LocalHub, tree: Tree) -> None:
    for spec in tree.specs:
        search = hub.search_models if spec.kind == "model" else hub.search_datasets
        found = [r for r in search(SearchFilters(query=spec.id), Sort.NAME, 500) if r.id == spec.id]
        assert len(found) == 1, spec.id
        r = found[0]
        assert (r.kind, r.author, r.task, r.library) == (
            spec.kind,
            spec.author,
            spec.task,
            spec.library,
        )
        assert (r.license, r.languages, r.tags) == (spec.license, spec.languages, spec.tags)
        assert r.last_modified == datetime.fromtimestamp(spec.mtime, tz=UTC)
        assert r.size_bytes == sum(spec.files.values())
        assert r.parameters == spec.parameters
        assert (r.downloads, r.likes, r.trending_score, r.source) == (None, None, None, "local")


def test_parameter_counts(hub: LocalHub, tree: Tree) -> None:
    with_weights = [s for s in tree.of("model") if s.parameters is not None]
    assert len(with_weights) >= 10
    for spec in with_weights:
        assert hub.model_info(spec.id).summary.parameters == spec.parameters
    sharded = tree.specs[7]
    assert "model.safetensors.index.json" in spec_files(hub, sharded)
    assert hub.model_info(sharded.id).summary.parameters == 64 * 32 + 32 + 1000


def spec_files(hub: LocalHub, spec: Spec) -> list[str]:
    return [f.path for f in hub.files(spec.id, spec.kind)]


def test_model_and_dataset_info(hub: LocalHub, tree: Tree) -> None:
    model = next(s for s in tree.of("model") if s.license and s.tags and s.card)
    details = hub.model_info(model.id)
    assert details.id == model.id
    assert {f.path: f.size for f in details.files} == model.files
    assert details.total_size == sum(model.files.values())
    assert details.local_path == str(tree.root / "models" / model.id)
    assert details.card_data["license"] == model.license
    assert details.card_data["tags"] == list(model.tags)
    json.dumps(details.to_dict())  # JSON-safe all the way down
    assert hub.card(model.id) == model.card
    assert hub.local_path(model.id) == tree.root / "models" / model.id
    assert not any(p.startswith(".git") for p in spec_files(hub, tree.specs[1]))

    dataset = next(s for s in tree.of("dataset") if s.task and s.card)
    info = hub.dataset_info(dataset.id)
    assert info.summary.task == dataset.task
    assert info.card_data["metadata"]["task_categories"] == [dataset.task]
    assert "data/train.csv" in spec_files(hub, dataset)
    assert hub.card(dataset.id, "dataset") == dataset.card
    assert hub.local_path(dataset.id, "dataset") == tree.root / "datasets" / dataset.id


def test_malformed_card_and_missing_card(hub: LocalHub, tree: Tree) -> None:
    broken = tree.specs[3]
    assert broken.broken
    details = hub.model_info(broken.id)
    assert "card_error" in details.card_data
    assert details.summary.license is None
    assert {f.path for f in details.files} == set(broken.files)
    assert broken.id in _search(hub, "model", SearchFilters(query=broken.id))
    assert hub.card(broken.id) == broken.card
    bare = tree.specs[4]
    assert hub.card(bare.id) == ""
    assert "card_error" not in hub.model_info(bare.id).card_data


def test_errors(hub: LocalHub, tree: Tree) -> None:
    with pytest.raises(RepoNotFoundError) as info:
        hub.model_info("acme/does-not-exist")
    assert str(tree.root) in info.value.hint
    dataset = tree.of("dataset")[0]
    with pytest.raises(RepoNotFoundError):
        hub.model_info(dataset.id)  # a dataset is not a model
    with pytest.raises(RepoNotFoundError):
        hub.card("nobody/nothing", "dataset")
    for bad in ("acme/bad--name", "", "a/b/c", "../etc"):
        with pytest.raises(InvalidRepoIdError):
            hub.model_info(bad)
    with pytest.raises(InvalidRepoIdError):
        hub.files("bad id")


def test_no_change_refresh_reports_unchanged(hub: LocalHub, tree: Tree) -> None:
    stats = hub.refresh()
    assert (stats.added, stats.updated, stats.removed) == (0, 0, 0)
    assert stats.unchanged == len(tree.specs)


def test_concurrent_first_use(tree: Tree, tmp_path: Path) -> None:
    fresh = LocalHub([tree.root], tmp_path / "index.sqlite")
    f = SearchFilters(query="bert")
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: _search(fresh, "model", f), range(16)))
    assert all(r == _expected(tree, "model", f) for r in results)


# ------------------------------------------------------------ incremental refresh


def _small_repo(root: Path, repo_id: str, license: str, kind: str = "models") -> Path:
    folder = root / kind / repo_id
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(f"---\nlicense: {license}\ntags: [small]\n---\n# {repo_id}\n")
    (folder / "config.json").write_text("{}")
    return folder


def _stats(stats: RefreshStats) -> tuple[int, int, int, int]:
    return (stats.added, stats.updated, stats.removed, stats.unchanged)


def test_incremental_refresh(tmp_path: Path) -> None:
    root = tmp_path / "hub"
    for i in range(5):
        _small_repo(root, f"org/m{i}", "mit")
    _small_repo(root, "org/d0", "mit", "datasets")
    index = tmp_path / "index.sqlite"
    hub = LocalHub([root], index)
    assert _stats(hub.refresh()) == (6, 0, 0, 0)
    assert _stats(hub.refresh()) == (0, 0, 0, 6)

    _small_repo(root, "org/new", "mit")
    assert _stats(hub.refresh()) == (1, 0, 0, 6)
    assert hub.count("model") == 6

    card = root / "models" / "org" / "m1" / "README.md"
    card.write_text("---\nlicense: apache-2.0\ntags: [changed]\n---\n# m1\n")
    later = card.stat().st_mtime + 5
    os.utime(card, (later, later))
    assert _stats(hub.refresh()) == (0, 1, 0, 6)
    assert [r.id for r in hub.search_models(SearchFilters(license="apache-2.0"))] == ["org/m1"]
    assert [r.id for r in hub.search_models(SearchFilters(query="changed"))] == ["org/m1"]
    assert hub.search_models(SearchFilters(query="small", license="apache-2.0")) == []

    shutil.rmtree(root / "models" / "org" / "m2")
    assert _stats(hub.refresh()) == (0, 0, 1, 6)
    with pytest.raises(RepoNotFoundError):
        hub.model_info("org/m2")
    assert _stats(hub.refresh()) == (0, 0, 0, 6)

    # A new instance on the same index file finds it up to date.
    again = LocalHub([root], index)
    assert _stats(again.refresh()) == (0, 0, 0, 6)
    # A root that is no longer configured takes its repos with it.
    assert _stats(LocalHub([], index).refresh()) == (0, 0, 6, 0)


def test_schema_mismatch_rebuilds(tmp_path: Path) -> None:
    root = tmp_path / "hub"
    _small_repo(root, "org/m0", "mit")
    index = tmp_path / "index.sqlite"
    LocalHub([root], index).refresh()
    with sqlite3.connect(index) as conn:
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'schema'")
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert _stats(LocalHub([root], index).refresh()) == (1, 0, 0, 0)
    index.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    assert _stats(LocalHub([root], index).refresh()) == (1, 0, 0, 0)


def test_index_is_created_lazily(tmp_path: Path) -> None:
    index = tmp_path / "sub" / "index.sqlite"
    hub = LocalHub([tmp_path / "missing-root"], index)
    assert not index.exists()
    assert hub.search_models(SearchFilters()) == []
    assert index.exists()


def test_from_settings(tmp_path: Path) -> None:
    from hf_ecosystem.config import Settings

    extra = tmp_path / "extra"
    settings = Settings(home=tmp_path / "home", hub_cache=tmp_path / "cache", local_hub=str(extra))
    hub = LocalHub.from_settings(settings)
    assert hub.roots == [tmp_path / "home" / "hub", extra]
    assert hub.index.path == tmp_path / "home" / "localhub.sqlite"
    assert hub.cache_dir == tmp_path / "cache"


# -------------------------------------------------------------------- HF cache


def _cache_repo(
    cache: Path, kind: str, repo_id: str, files: dict[str, bytes], commit: str | None = None
) -> str:
    """Lay out a repo the way huggingface_hub does: blobs, refs/main and symlinked snapshots."""
    repo = cache / f"{kind}s--{repo_id.replace('/', '--')}"
    commit = commit or hashlib.sha1(repr(sorted(files.items())).encode()).hexdigest()
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "blobs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    for rel, content in files.items():
        _cache_file(repo, commit, rel, content)
    return commit


def _cache_file(repo: Path, commit: str, rel: str, content: bytes) -> None:
    blob = repo / "blobs" / hashlib.sha256(content).hexdigest()
    blob.write_bytes(content)
    link = repo / "snapshots" / commit / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(blob, link.parent))


def _safetensors_bytes(tmp: Path, shapes: list[tuple[int, ...]]) -> bytes:
    save_file({f"t{i}": np.zeros(s, dtype=np.float16) for i, s in enumerate(shapes)}, str(tmp))
    return tmp.read_bytes()


@pytest.fixture
def scan_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    calls: list[Path] = []
    real = huggingface_hub.scan_cache_dir

    def counting(cache_dir: Any = None) -> Any:
        calls.append(Path(cache_dir))
        return real(cache_dir)

    monkeypatch.setattr(huggingface_hub, "scan_cache_dir", counting)
    yield calls


def test_cache_is_indexed_and_signature_skips_scan(tmp_path: Path, scan_calls: list[Path]) -> None:
    root, cache = tmp_path / "hub", tmp_path / "cache"
    _small_repo(root, "acme/shared", "mit")
    _small_repo(root, "acme/folder-only", "mit")
    weights = _safetensors_bytes(tmp_path / "w.safetensors", [(8, 4), (4,)])
    card = b"---\nlicense: apache-2.0\npipeline_tag: text-generation\ntags: [cached]\n---\n# c\n"
    commit = _cache_repo(
        cache,
        "model",
        "cacheorg/cached-gpt",
        {"README.md": card, "config.json": b"{}", "model.safetensors": weights},
    )
    _cache_repo(cache, "model", "acme/shared", {"README.md": b"---\nlicense: other\n---\n"})
    _cache_repo(
        cache,
        "dataset",
        "cacheorg/cached-data",
        {"README.md": b"---\ntask_categories: [summarization]\n---\n", "data/a.csv": b"x\n1\n"},
    )
    (cache / ".locks").mkdir()
    (cache / "version.txt").write_text("1")

    hub = LocalHub([root], tmp_path / "index.sqlite", cache_dir=cache)
    assert _stats(hub.refresh()) == (5, 0, 0, 0)
    assert len(scan_calls) == 1
    assert hub.count() == 4  # the cached acme/shared is shadowed by the folder copy
    assert hub.model_info("acme/shared").summary.source == "local"
    assert hub.model_info("acme/shared").summary.license == "mit"

    info = hub.model_info("cacheorg/cached-gpt")
    snapshot = cache / "models--cacheorg--cached-gpt" / "snapshots" / commit
    assert info.summary.source == "cache"
    assert info.sha == commit
    assert info.local_path == str(snapshot)
    assert info.summary.parameters == 8 * 4 + 4
    assert info.summary.task == "text-generation"
    assert {f.path: f.size for f in info.files} == {
        "README.md": len(card),
        "config.json": 2,
        "model.safetensors": len(weights),
    }
    assert info.summary.size_bytes == len(card) + 2 + len(weights)
    assert hub.card("cacheorg/cached-gpt") == card.decode()
    data = hub.dataset_info("cacheorg/cached-data")
    assert data.summary.task == "summarization"
    assert [f.path for f in data.files] == ["README.md", "data/a.csv"]
    found = hub.search_models(SearchFilters(query="cached", license="apache-2.0"), Sort.UPDATED)
    assert [r.id for r in found] == ["cacheorg/cached-gpt"]

    # Nothing moved: the cache signature matches and scan_cache_dir is not called at all.
    assert _stats(hub.refresh()) == (0, 0, 0, 5)
    assert len(scan_calls) == 1

    # A new cached repo: one scan, one addition.
    _cache_repo(cache, "model", "cacheorg/new-one", {"README.md": b"# new\n"})
    assert _stats(hub.refresh()) == (1, 0, 0, 5)
    assert len(scan_calls) == 2

    # A later download into an existing revision (a new symlink in the snapshot).
    _cache_file(cache / "models--cacheorg--new-one", _commit(cache, "new-one"), "extra.bin", b"xx")
    assert _stats(hub.refresh()) == (0, 1, 0, 5)
    assert [f.path for f in hub.files("cacheorg/new-one")] == ["README.md", "extra.bin"]

    # A new revision: the newest snapshot's card wins.
    new_card = b"---\nlicense: mit\npipeline_tag: fill-mask\n---\n# v2\n"
    _cache_repo(cache, "model", "cacheorg/cached-gpt", {"README.md": new_card}, commit="b" * 40)
    assert _stats(hub.refresh()) == (0, 1, 0, 5)
    info = hub.model_info("cacheorg/cached-gpt")
    assert (info.sha, info.summary.task, info.summary.parameters) == ("b" * 40, "fill-mask", None)
    assert len(scan_calls) == 4

    # The folder copy goes away: the cached copy shows through.
    shutil.rmtree(root / "models" / "acme" / "shared")
    assert _stats(hub.refresh()) == (0, 0, 1, 5)
    assert hub.model_info("acme/shared").summary.source == "cache"
    assert hub.model_info("acme/shared").summary.license == "other"
    assert len(scan_calls) == 4  # only the folder changed

    # A cached repo deleted from the cache.
    shutil.rmtree(cache / "datasets--cacheorg--cached-data")
    assert _stats(hub.refresh()) == (0, 0, 1, 4)
    assert hub.count("dataset") == 0

    # The cache folder vanishing drops every cached row.
    shutil.rmtree(cache)
    assert _stats(hub.refresh()) == (0, 0, 3, 1)
    assert hub.count() == 1


def _commit(cache: Path, name: str) -> str:
    return (cache / f"models--cacheorg--{name}" / "refs" / "main").read_text()
