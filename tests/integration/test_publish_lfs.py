"""Publishing through the client's git-LFS path (HF_HUB_DISABLE_XET=1) against the fake Hub:
batch, PUT to the upload href, verify, ``lfsFile`` commit lines, and the server's refusals."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.publishing.hub import plan_publish, publish_to_hub

tiny_model = fixtures.tiny_model
TOKEN = "hf_LfsAliceWriteToken0123456789abcdef"
READ_TOKEN = "hf_LfsBobReadToken0123456789abcdefgh"
REPO = "alice/tiny-lfs"
# Above config.json & co (< 1 KB), below model.safetensors (~4 MB) and tokenizer.json (~700 KB):
# the weights go LFS by suffix and by size, tokenizer.json by size alone.
THRESHOLD = 100 * 1024
LFS_FILES = {"model.safetensors", "tokenizer.json"}


@pytest.fixture
def alice(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """The fake Hub with LFS answers on and a write token for alice set as HF_TOKEN."""
    fake_hub.add_token(TOKEN, user="alice")
    fake_hub.add_token(READ_TOKEN, user="bob", role="read")
    fake_hub.lfs_threshold = THRESHOLD
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    return fake_hub


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _calls(hub: FakeHub, method: str, fragment: str) -> list[tuple[str, dict[str, str]]]:
    """(path, headers) of the requests of `method` whose path contains `fragment`."""
    return [(p, h) for m, p, h in hub.requests if m == method and fragment in p]


def _http(
    method: str, url: str, body: bytes | dict[str, Any] | None = None, token: str | None = None
) -> tuple[int, bytes]:
    """A raw request with urllib: (status, body), HTTP errors included."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if isinstance(body, dict):
        headers["Content-Type"] = "application/vnd.git-lfs+json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read()


def _logits(folder: Path) -> Any:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    with torch.no_grad():
        return model(**tokenizer(["a fine day"], return_tensors="pt")).logits


def test_publish_sends_large_files_through_lfs_and_they_load_back(
    alice: FakeHub, tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_url, snapshot_download

    source = tmp_path / "model"
    shutil.copytree(tiny_model("text-classification"), source)
    card = (source / "README.md").read_text(encoding="utf-8")
    local = {p.name: p.read_bytes() for p in source.iterdir() if p.is_file()}
    assert {n for n, c in local.items() if len(c) >= THRESHOLD} == LFS_FILES  # the premise
    oids = {name: _sha256(local[name]) for name in LFS_FILES}

    result = publish_to_hub(plan_publish(source), REPO, card_text=card, tag="v1")

    log = "\n".join(f"{m} {p}" for m, p, _ in alice.requests)
    batches = _calls(alice, "POST", f"/{REPO}.git/info/lfs/objects/batch")
    puts = _calls(alice, "PUT", "/lfs-storage/")
    verifies = _calls(alice, "POST", f"/{REPO}.git/info/lfs/objects/verify")
    assert len(batches) == 1, log
    assert batches[0][1]["accept"] == "application/vnd.git-lfs+json"
    assert batches[0][1]["authorization"] == f"Bearer {TOKEN}"
    assert sorted(p.split("?")[0].rsplit("/", 1)[-1] for p, _ in puts) == sorted(oids.values())
    assert all("authorization" not in h for _, h in puts)  # a "pre-signed" URL, no token sent
    assert len(verifies) == 2, log
    assert alice.lfs_objects == {oids[n]: local[n] for n in LFS_FILES}

    # The weights were not inlined in the commit: its NDJSON body is a few KB of small files.
    (_, commit_headers), *_ = _calls(alice, "POST", f"/api/models/{REPO}/commit/main")
    assert int(commit_headers["content-length"]) < 10 * 1024

    repo = alice._repos[("model", REPO)]
    assert repo.lfs_paths == LFS_FILES
    assert set(repo.files) - repo.lfs_paths == {
        ".gitattributes",
        "README.md",
        "config.json",
        "tokenizer_config.json",
    }
    assert result.commit == repo.sha and result.tags == ("v1",)
    assert repo.commit_titles == ["Upload tiny-lfs"]

    api = HfApi(endpoint=alice.url, token=TOKEN)
    siblings = {s.rfilename: s for s in api.model_info(REPO, files_metadata=True).siblings or []}
    for name in LFS_FILES:
        lfs = siblings[name].lfs
        assert lfs is not None and (lfs.sha256, lfs.size) == (oids[name], len(local[name]))
    assert siblings["config.json"].lfs is None
    meta = get_hf_file_metadata(hf_hub_url(REPO, "model.safetensors"), token=TOKEN)
    assert (meta.etag, meta.size) == (oids["model.safetensors"], len(local["model.safetensors"]))

    snapshot = Path(snapshot_download(REPO, revision="v1", cache_dir=tmp_path / "cache"))
    for name, content in local.items():
        assert (snapshot / name).read_bytes() == content, name
    assert _logits(snapshot).tolist() == _logits(source).tolist()

    # A new version with the same weights: the batch says "already there", nothing is re-sent.
    config = json.loads((source / "config.json").read_text())
    config["id2label"] = {str(i): f"label-{i}" for i in range(len(config["id2label"]))}
    config["label2id"] = {v: int(k) for k, v in config["id2label"].items()}
    (source / "config.json").write_text(json.dumps(config))
    second = publish_to_hub(plan_publish(source), REPO, card_text=card, commit_message="Relabel")
    assert second.commit != result.commit and repo.commit_titles[-1] == "Relabel"
    assert len(_calls(alice, "PUT", "/lfs-storage/")) == 2  # still only the first two uploads
    assert repo.lfs_paths == LFS_FILES
    assert repo.files["model.safetensors"] == local["model.safetensors"]
    assert json.loads(repo.files["config.json"])["id2label"]["0"] == "label-0"
    assert not alice.server_errors, alice.server_errors


def test_dataset_upload_goes_through_the_dataset_lfs_route(alice: FakeHub, tmp_path: Path) -> None:
    from huggingface_hub import HfApi, hf_hub_download

    api = HfApi(endpoint=alice.url, token=TOKEN)
    api.create_repo("alice/rows", repo_type="dataset")
    big = bytes(range(256)) * 1024  # 256 KB, no LFS suffix: LFS by size
    api.upload_file(
        path_or_fileobj=big, path_in_repo="data/rows.jsonl", repo_id="alice/rows",
        repo_type="dataset",
    )  # fmt: skip
    api.upload_file(
        path_or_fileobj=b"tiny", path_in_repo="notes.txt", repo_id="alice/rows",
        repo_type="dataset",
    )  # fmt: skip
    assert len(_calls(alice, "POST", "/datasets/alice/rows.git/info/lfs/objects/batch")) == 1
    assert len(_calls(alice, "PUT", f"/lfs-storage/{_sha256(big)}")) == 1
    repo = alice._repos[("dataset", "alice/rows")]
    assert repo.lfs_paths == {"data/rows.jsonl"}
    got = hf_hub_download(
        "alice/rows", "data/rows.jsonl", repo_type="dataset", cache_dir=tmp_path / "c"
    )
    assert Path(got).read_bytes() == big
    # Overwriting the path with a small regular file makes it a regular file again.
    api.upload_file(
        path_or_fileobj=b"{}\n", path_in_repo="data/rows.jsonl", repo_id="alice/rows",
        repo_type="dataset",
    )  # fmt: skip
    assert repo.lfs_paths == set() and repo.files["data/rows.jsonl"] == b"{}\n"
    api.upload_file(
        path_or_fileobj=big, path_in_repo="data/again.jsonl", repo_id="alice/rows",
        repo_type="dataset",
    )  # fmt: skip
    api.delete_folder("data", repo_id="alice/rows", repo_type="dataset")
    assert repo.lfs_paths == set() and set(repo.files) == {".gitattributes", "notes.txt"}
    assert not alice.server_errors, alice.server_errors


def test_preupload_is_regular_by_default_and_lfs_by_suffix_or_size(fake_hub: FakeHub) -> None:
    fake_hub.add_token(TOKEN, user="alice")
    fake_hub.add(FakeRepo("alice/modes", files={"big.bin": b"old"}))
    files = [
        {"path": "big.bin", "size": 3, "sample": ""},
        {"path": "a.txt", "size": 500, "sample": ""},
        {"path": "b.txt", "size": 50, "sample": ""},
        {"path": "empty.bin", "size": 0, "sample": ""},
    ]
    url = f"{fake_hub.url}/api/models/alice/modes/preupload/main"

    def modes() -> dict[str, tuple[str, str | None]]:
        status, body = _http("POST", url, {"files": files}, TOKEN)
        assert status == 200, body
        return {f["path"]: (f["uploadMode"], f["oid"]) for f in json.loads(body)["files"]}

    assert {m for m, _ in modes().values()} == {"regular"}
    assert modes()["big.bin"][1] == hashlib.sha1(b"blob 3\0old").hexdigest()
    fake_hub.lfs_threshold = 100
    assert modes() == {
        "big.bin": ("lfs", _sha256(b"old")),  # LFS oids are sha256 (the client compares them)
        "a.txt": ("lfs", None),
        "b.txt": ("regular", None),
        "empty.bin": ("regular", None),  # empty files are never LFS
    }
    fake_hub.reset()
    assert fake_hub.lfs_threshold is None and fake_hub.lfs_objects == {}


def test_lfs_endpoints_refuse_corrupt_uploads_and_bad_requests(fake_hub: FakeHub) -> None:
    fake_hub.add_token(TOKEN, user="alice")
    fake_hub.add_token(READ_TOKEN, user="bob", role="read")
    repo = fake_hub.add(FakeRepo("alice/raw"))
    good = b"weights" * 1000
    oid = _sha256(good)
    batch_url = f"{fake_hub.url}/alice/raw.git/info/lfs/objects/batch"
    verify_url = f"{fake_hub.url}/alice/raw.git/info/lfs/objects/verify"
    batch = {"operation": "upload", "transfers": ["basic", "multipart"], "hash_algo": "sha256",
             "objects": [{"oid": oid, "size": len(good)}], "ref": {"name": "main"}}  # fmt: skip

    assert _http("POST", batch_url, batch)[0] == 401
    assert _http("POST", batch_url, batch, READ_TOKEN)[0] == 403
    missing_repo = batch_url.replace("/raw.git/", "/nope.git/")
    assert _http("POST", missing_repo, batch, TOKEN)[0] == 404
    assert _http("GET", batch_url, token=TOKEN)[0] == 405
    assert _http("POST", batch_url, {**batch, "operation": "download"}, TOKEN)[0] == 400
    assert _http("POST", batch_url, {**batch, "transfers": ["multipart"]}, TOKEN)[0] == 422
    assert _http("POST", batch_url, {**batch, "objects": "x"}, TOKEN)[0] == 400
    assert _http("POST", batch_url, {**batch, "ref": {"name": "nope"}}, TOKEN)[0] == 404

    status, body = _http("POST", batch_url, batch, TOKEN)
    assert status == 200, body
    answer = json.loads(body)
    assert answer["transfer"] == "basic"
    (obj,) = answer["objects"]
    assert (obj["oid"], obj["size"]) == (oid, len(good))
    upload, verify = obj["actions"]["upload"], obj["actions"]["verify"]
    assert "chunk_size" not in upload.get("header", {})  # basic transfer, never multipart
    assert verify["href"] == verify_url

    corrupt = b"W" + good[1:]  # same size, wrong sha256
    status, body = _http("PUT", upload["href"], corrupt)
    assert status == 400 and b"sha256" in body
    status, body = _http("PUT", upload["href"], good[:-1])
    assert status == 400 and b"Size mismatch" in body
    forged = upload["href"].split("?")[0] + "?token=forged"
    assert _http("PUT", forged, good)[0] == 403
    assert _http("GET", upload["href"])[0] == 405
    assert fake_hub.lfs_objects == {}
    assert _http("POST", verify_url, {"oid": oid, "size": len(good)}, TOKEN)[0] == 404

    commit_url = f"{fake_hub.url}/api/models/alice/raw/commit/main"
    header = {"key": "header", "value": {"summary": "add weights"}}
    pointer = {"path": "w.bin", "algo": "sha256", "oid": oid, "size": len(good)}
    lfs_line = {"key": "lfsFile", "value": pointer}

    def commit(*lines: dict[str, Any]) -> tuple[int, bytes]:
        ndjson = b"".join(json.dumps(line).encode() + b"\n" for line in (header, *lines))
        return _http("POST", commit_url, ndjson, TOKEN)

    status, body = commit(lfs_line)
    assert status == 400 and b"never uploaded" in body  # no object behind the pointer
    assert "w.bin" not in repo.files

    assert _http("PUT", upload["href"], good)[0] == 200  # a retry after a failure still works
    assert fake_hub.lfs_objects == {oid: good}
    assert _http("PUT", upload["href"], good)[0] == 403  # the URL is spent
    assert _http("POST", verify_url, {"oid": oid, "size": len(good)}, TOKEN)[0] == 200
    assert _http("POST", verify_url, {"oid": oid, "size": 1}, TOKEN)[0] == 404

    wrong_size = {**lfs_line, "value": {**pointer, "size": 1}}
    assert commit(wrong_size)[0] == 400
    wrong_algo = {**lfs_line, "value": {**pointer, "algo": "md5"}}
    assert commit(wrong_algo)[0] == 400
    status, body = commit(lfs_line)
    assert status == 200, body
    assert repo.files["w.bin"] == good and repo.lfs_paths == {"w.bin"}

    again = json.loads(_http("POST", batch_url, batch, TOKEN)[1])["objects"][0]
    assert "actions" not in again  # already stored: the client skips the upload
    bad = {**batch, "objects": [{"oid": "xyz", "size": 3}, {"oid": oid, "size": -1}]}
    errors = json.loads(_http("POST", batch_url, bad, TOKEN)[1])["objects"]
    assert [e["error"]["code"] for e in errors] == [422, 422]

    # The file is served as an LFS file: sha256 etag plus the linked headers.
    request = urllib.request.Request(f"{fake_hub.url}/alice/raw/resolve/main/w.bin", method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["X-Linked-Etag"] == f'"{oid}"'
        assert response.headers["X-Linked-Size"] == str(len(good))
    assert not fake_hub.server_errors, fake_hub.server_errors
