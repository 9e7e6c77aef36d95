"""`hf-tui hub serve` refusing what it must: bad bodies, bad queries, unknown repos and revisions,
writes without the token or to a cache-only repo, LFS misuse, Range edge cases and paths that try
to leave the repo. Each test talks real HTTP to an in-process server on 127.0.0.1 and asserts what
the client sees (status, the Hub's `{"error"}` body and headers) and that a refused write wrote
nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.errors import HfHubHTTPError

from hf_ecosystem.config import load_settings
from hf_ecosystem.hub.serve import HubServer, is_loopback

CACHED_SHA = "c" * 40


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content)


def _cache_repo(cache: Path, repo_id: str, files: dict[str, bytes]) -> None:
    """A repo only in the HF cache, laid out as huggingface_hub leaves a download."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(CACHED_SHA)
    for rel, content in files.items():
        blob = repo / "blobs" / hashlib.sha256(content).hexdigest()
        _write(blob.parent, {blob.name: content})
        link = repo / "snapshots" / CACHED_SHA / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))


@pytest.fixture
def served(isolated_env: Path) -> Iterator[HubServer]:
    """acme/tiny and acme/other (local, writable), acme/words (dataset), acme/cached (cache)."""
    hub = isolated_env / "hftui_home" / "hub"
    files = {"config.json": b'{"model_type": "bert"}', "sub/notes.txt": b"0123456789",
             "empty.txt": b""}  # fmt: skip
    _write(hub / "models" / "acme" / "tiny", files)
    _write(hub / "models" / "acme" / "other", {"README.md": b"# other\n"})
    _write(hub / "datasets" / "acme" / "words", {"data/train.csv": b"text,label\nhi,1\n"})
    outside = isolated_env / "outside"
    outside.mkdir()
    (hub / "models" / "acme" / "tiny" / "outlink").symlink_to(outside, target_is_directory=True)
    _cache_repo(isolated_env / "hf_home" / "hub", "acme/cached", {"config.json": b"{}"})
    server = HubServer(load_settings(), port=0).start()
    yield server
    server.stop()


def _files_under(root: Path) -> dict[str, bytes]:
    """Every file under `root` (links followed) and its bytes: what a refused write must keep."""
    out: dict[str, bytes] = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if path.is_file():
                out[str(path.relative_to(root))] = path.read_bytes()
    return out


@pytest.fixture
def unchanged(served: HubServer, isolated_env: Path) -> Iterator[None]:
    """Fails the test if anything under the local hub, the HF cache or `outside` changed."""
    roots = [isolated_env / "hftui_home" / "hub", isolated_env / "hf_home", isolated_env / "outside"]
    before = [_files_under(r) for r in roots]
    yield
    assert [_files_under(r) for r in roots] == before


def _refused(answer: httpx.Response, status: int, message: str, code: str | None = None) -> None:
    """The answer is the Hub's error form: that status, `{"error": message}`, X-Error-*."""
    assert answer.status_code == status, answer.text
    assert message in answer.json()["error"], answer.text
    assert message.encode("ascii", "replace").decode() in answer.headers["X-Error-Message"]
    if code is not None:
        assert answer.headers["X-Error-Code"] == code


def _auth(server: HubServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}"}


def _ndjson(*ops: dict[str, object], header: bool = True) -> bytes:
    lines = [{"key": "header", "value": {"summary": "s"}}] if header else []
    return "\n".join(json.dumps(x) for x in [*lines, *ops]).encode()


def _file_op(path: str, content: bytes = b"x") -> dict[str, object]:
    encoded = base64.b64encode(content).decode()
    return {"key": "file", "value": {"path": path, "content": encoded, "encoding": "base64"}}


def test_bad_json_bodies_are_400_and_write_nothing(served: HubServer, unchanged: None) -> None:
    url, auth = served.url, _auth(served)
    create = f"{url}/api/repos/create"
    _refused(httpx.post(create, content=b"{not json", headers=auth), 400, "Invalid JSON body")
    _refused(httpx.post(create, content=b"[1, 2]", headers=auth), 400, "Expected a JSON object")
    _refused(httpx.post(create, json={"name": "s", "type": "space"}, headers=auth), 400,
             "Only model and dataset repos can be served, not 'space'")  # fmt: skip
    for body in ({}, {"name": ""}, {"name": "x", "organization": 3}):
        _refused(httpx.post(create, json=body, headers=auth), 400, "A repo name is required")
    answer = httpx.post(create, json={"name": "bad name!"}, headers=auth)
    assert answer.status_code == 400 and answer.headers["X-Error-Code"] == "InvalidRepoId"
    repo = f"{url}/api/models/acme/tiny"
    for route in ("preupload/main", "tag/main"):
        answer = httpx.post(f"{repo}/{route}", content=b"nope", headers=auth)
        _refused(answer, 400, "Invalid JSON body")
    for tag in ("", "two words", 5):
        _refused(httpx.post(f"{repo}/tag/main", json={"tag": tag}, headers=auth), 400,
                 "A tag name of letters")  # fmt: skip
    commit = f"{repo}/commit/main"
    bad_commits = {
        b"{not json}\n": "The commit body is not NDJSON",
        b"": "The commit body must start with a header line",
        _ndjson(_file_op("a.txt"), header=False): "The commit body must start with a header",
        _ndjson({"key": "rename", "value": {"path": "a.txt"}}): "Unknown commit operation: rename",
        _ndjson({"key": "file", "value": {"path": "a.txt", "content": "eA=="}}):
            "Unsupported encoding for a.txt",
        _ndjson({"key": "file", "value": {"path": "a.txt", "content": "not base64!",
                                          "encoding": "base64"}}):
            "a.txt: the content is not base64",
    }  # fmt: skip
    for body, message in bad_commits.items():
        _refused(httpx.post(commit, content=body, headers=auth), 400, message)
    answer = httpx.post(f"{commit}?create_pr=1", content=_ndjson(_file_op("a.txt")), headers=auth)
    _refused(answer, 400, "Pull requests are not supported")
    answer = httpx.post(f"{repo}/commit/v2", content=_ndjson(_file_op("a.txt")), headers=auth)
    _refused(answer, 404, "Only main takes commits here, not v2", "RevisionNotFound")


def test_bad_cursor_and_limit_values(served: HubServer) -> None:
    models = f"{served.url}/api/models"
    for query in ("limit=ten", "cursor=x", "limit=1.5"):
        _refused(httpx.get(f"{models}?{query}"), 400, "Invalid limit or cursor")
    _refused(httpx.get(f"{models}?cursor={10**30}"), 400, "Invalid limit or cursor")
    tree = f"{served.url}/api/models/acme/tiny/tree/main"
    _refused(httpx.get(f"{tree}?cursor=abc"), 400, "Invalid cursor")
    # out-of-range values are clamped, as the Hub does, not refused
    assert [m["id"] for m in httpx.get(f"{models}?limit=-3&sort=id").json()] == ["acme/cached"]
    assert httpx.get(f"{models}?cursor=-5&sort=id").json()[0]["id"] == "acme/cached"
    assert len(httpx.get(f"{models}?limit={10**30}").json()) == 3
    assert httpx.get(f"{tree}?cursor=99").json() == []
    # a page of one links to the next; following the links visits every model once
    seen: list[str] = []
    url: str | None = f"{models}?limit=1&sort=id"
    while url:
        answer = httpx.get(url)
        seen += [m["id"] for m in answer.json()]
        url = answer.links.get("next", {}).get("url")
    assert sorted(seen) == ["acme/cached", "acme/other", "acme/tiny"] and len(seen) == 3


def test_methods_not_allowed_are_405(served: HubServer, unchanged: None) -> None:
    url, auth = served.url, _auth(served)
    _refused(httpx.put(f"{url}/api/models", headers=auth), 405, "Method not allowed")
    _refused(httpx.post(f"{url}/api/datasets", headers=auth), 405, "Method not allowed")
    _refused(httpx.delete(f"{url}/api/models/acme/tiny", headers=auth), 405, "Method not allowed")
    _refused(httpx.post(f"{url}/api/models/acme/tiny/refs", headers=auth), 405,
             "Method not allowed")  # fmt: skip
    # what the Hub has no route for at all is 404, whatever the method
    _refused(httpx.delete(f"{url}/acme/tiny/resolve/main/config.json"), 404, "Not Found")
    _refused(httpx.get(f"{url}/api/spaces"), 404, "Not Found")
    _refused(httpx.get(f"{url}/api/models/acme/tiny/commits/main"), 404, "Not Found")
