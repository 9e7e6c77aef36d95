"""Downloads into the real cache layout with progress, listing, deleting revisions."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.errors import CacheError, RepoNotFoundError
from hf_ecosystem.hub.cache import (
    DownloadCancelled,
    DownloadProgress,
    cached_snapshot,
    delete_from_cache,
    download,
    list_cache,
)
from hf_ecosystem.hub.safetensors_meta import total_parameters


def _add_dir(hub: FakeHub, repo_id: str, folder: Path) -> FakeRepo:
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
    return hub.add(FakeRepo(repo_id, files=files, pipeline_tag="text-classification"))


def test_download_tiny_model_with_progress(fake_hub: FakeHub, tiny_bert_dir: Path) -> None:
    repo = _add_dir(fake_hub, "acme/tiny-bert", tiny_bert_dir)
    events: list[DownloadProgress] = []
    snapshot = download("acme/tiny-bert", progress=events.append)
    assert (snapshot / "config.json").is_file()
    assert (snapshot / "model.safetensors").read_bytes() == repo.files["model.safetensors"]
    total = sum(len(b) for b in repo.files.values())
    assert events[-1].done == events[-1].total == total
    assert events[-1].files_done == events[-1].files_total == len(repo.files)
    assert [e.done for e in events] == sorted(e.done for e in events)
    # The downloaded weights are real: their header counts the tiny model's parameters.
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(snapshot)
    assert total_parameters([snapshot / "model.safetensors"]) == model.num_parameters()

    (cached,) = list_cache()
    assert cached.repo_id == "acme/tiny-bert" and cached.kind == "model"
    assert cached.revisions[0].commit == repo.sha and "main" in cached.revisions[0].refs
    assert cached.size_bytes == total


def test_download_some_files_and_unknown(fake_hub: FakeHub) -> None:
    fake_hub.add(FakeRepo("acme/m", files={"a.txt": b"a", "b.txt": b"bb", "README.md": b"# m"}))
    snap = download("acme/m", files=["b.txt"])
    assert (snap / "b.txt").read_bytes() == b"bb" and not (snap / "a.txt").exists()
    with pytest.raises(CacheError, match=r"zzz\.txt"):
        download("acme/m", files=["zzz.txt"])
    with pytest.raises(RepoNotFoundError):
        download("acme/absent")


def test_cancel_stops_download(fake_hub: FakeHub) -> None:
    fake_hub.add(FakeRepo("acme/big", files={"w.bin": b"x" * 300_000}))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DownloadCancelled):
        download("acme/big", cancel=cancel)


def test_delete_revision_and_repo(fake_hub: FakeHub) -> None:
    repo = fake_hub.add(FakeRepo("acme/rev", files={"f.txt": b"one"}))
    download("acme/rev")
    first = repo.sha
    repo.files["f.txt"] = b"two two"
    download("acme/rev")
    (cached,) = list_cache()
    assert len(cached.revisions) == 2
    with pytest.raises(CacheError, match="not cached"):
        delete_from_cache("acme/rev", "deadbeef")
    freed = delete_from_cache("acme/rev", first[:10])
    assert freed == 3
    (cached,) = list_cache()
    assert [r.commit for r in cached.revisions] == [repo.sha]
    delete_from_cache("acme/rev")
    assert list_cache() == []
    with pytest.raises(CacheError, match="not in the cache"):
        delete_from_cache("acme/rev")


def test_empty_cache_lists_nothing() -> None:
    assert list_cache() == []
    with pytest.raises(CacheError):
        delete_from_cache("acme/x")


def test_a_repo_is_local_only_once_every_file_of_its_revision_is_cached(fake_hub: FakeHub) -> None:
    from hf_ecosystem.config import load_settings
    from hf_ecosystem.hub.remote import RemoteHub

    fake_hub.add(FakeRepo("acme/two", files={"a.txt": b"a", "b.txt": b"b"}))
    hub = RemoteHub.from_settings(load_settings())
    assert hub.model_info("acme/two").local_path is None
    download("acme/two", files=["a.txt"])
    assert hub.model_info("acme/two").local_path is None  # half a repo is not "already local"
    folder = download("acme/two")
    assert hub.model_info("acme/two").local_path == str(folder)
    files = ["a.txt", "b.txt"]
    assert cached_snapshot("acme/two", "model", None, files, load_settings().cache_dir) is None
