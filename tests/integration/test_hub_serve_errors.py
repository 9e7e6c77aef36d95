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
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from huggingface_hub import CommitOperationDelete, HfApi
from huggingface_hub.errors import HfHubHTTPError

from hf_ecosystem.config import load_settings
from hf_ecosystem.hub.serve import HubServer

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
    roots = [
        isolated_env / "hftui_home" / "hub",
        isolated_env / "hf_home",
        isolated_env / "outside",
    ]
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


def _lfs(
    server: HubServer, repo: str, action: str, body: object, token: bool = True
) -> httpx.Response:
    headers = _auth(server) if token else {}
    url = f"{server.url}/{repo}.git/info/lfs/objects/{action}"
    return httpx.post(url, json=body, headers=headers)


def test_lfs_batch_store_verify_and_commit_errors(served: HubServer, unchanged: None) -> None:
    data = b"PAR1 shard"
    oid, size = hashlib.sha256(data).hexdigest(), len(data)
    upload = {
        "operation": "upload",
        "transfers": ["basic"],
        "objects": [{"oid": oid, "size": size}],
    }
    _refused(_lfs(served, "acme/tiny", "batch", upload, token=False), 401, "Invalid credentials")
    _refused(_lfs(served, "acme/tiny", "batch", {**upload, "operation": "download"}), 400,
             "Only LFS uploads are served here")  # fmt: skip
    _refused(_lfs(served, "acme/tiny", "batch", {**upload, "transfers": ["ssh"]}), 422,
             "Only the 'basic' LFS transfer is offered")  # fmt: skip
    _refused(_lfs(served, "acme/tiny", "batch", {**upload, "objects": "all"}), 400,
             "'objects' must be a list")  # fmt: skip
    bad = {**upload, "objects": [{"oid": "xyz", "size": 1}, {"oid": oid, "size": -1}, 7]}
    answer = _lfs(served, "acme/tiny", "batch", bad)
    assert answer.status_code == 200
    assert [o["error"]["code"] for o in answer.json()["objects"]] == [422, 422, 422]
    _refused(_lfs(served, "acme/nope", "batch", upload), 404, "Repository not found")
    # a dataset's batch URL has the datasets/ prefix; the upload URL is one-time and checked
    answer = _lfs(served, "datasets/acme/words", "batch", upload)
    actions = answer.json()["objects"][0]["actions"]
    href = actions["upload"]["href"]
    _refused(httpx.put(f"{served.url}/lfs-storage/{oid}?ticket=wrong", content=data), 403,
             "Invalid or expired upload URL")  # fmt: skip
    _refused(httpx.put(href, content=b"PAR1 other"), 400, f"does not match sha256 {oid}")
    verify = actions["verify"]["href"]
    _refused(httpx.post(verify, json={"oid": oid, "size": size}, headers=_auth(served)), 404,
             f"LFS object {oid} of size {size} not found")  # fmt: skip
    assert httpx.put(href, content=data).status_code == 200
    _refused(httpx.put(href, content=data), 403, "Invalid or expired upload URL")
    assert httpx.post(verify, json={"oid": oid, "size": size}, headers=_auth(served)).is_success
    _refused(httpx.post(verify, json={"oid": "../x", "size": 1}, headers=_auth(served)), 400,
             "Invalid LFS object id")  # fmt: skip
    again = _lfs(served, "datasets/acme/words", "batch", upload).json()["objects"][0]
    assert again == {"oid": oid, "size": size}  # stored already: nothing to upload
    # an lfsFile line must name an uploaded object, hashed with sha256
    commit = f"{served.url}/api/datasets/acme/words/commit/main"
    lines = {
        "md5": ({"path": "d.parquet", "algo": "md5", "oid": oid, "size": size},
                "d.parquet: unsupported LFS hash md5"),
        "missing": ({"path": "d.parquet", "algo": "sha256", "oid": "0" * 64, "size": 1},
                    "d.parquet: its LFS object was never uploaded"),
    }  # fmt: skip
    for value, message in lines.values():
        body = _ndjson({"key": "lfsFile", "value": value})
        _refused(httpx.post(commit, content=body, headers=_auth(served)), 400, message)
    _refused(httpx.post(f"{served.url}/acme/tiny.git/info/lfs/objects/locks",
                        headers=_auth(served)), 404, "Not Found")  # fmt: skip


def test_commits_delete_files_and_folders(served: HubServer) -> None:
    api = HfApi(endpoint=served.url, token=served.token)
    folder = load_settings().home / "hub" / "models" / "acme" / "other"
    api.upload_file(path_or_fileobj=b"a", path_in_repo="docs/a.txt", repo_id="acme/other")
    api.upload_file(path_or_fileobj=b"b", path_in_repo="docs/deep/b.txt", repo_id="acme/other")
    api.delete_file("README.md", repo_id="acme/other")
    assert not (folder / "README.md").exists() and (folder / "docs" / "a.txt").exists()
    api.delete_folder("docs", repo_id="acme/other")
    assert not (folder / "docs").exists()
    assert [s.rfilename for s in api.model_info("acme/other").siblings or []] == []
    with pytest.raises(HfHubHTTPError) as missing:
        api.delete_file("nope.txt", repo_id="acme/other")
    assert missing.value.response.status_code == 404
    assert "A file with this name doesn't exist: nope.txt" in str(missing.value)
    # a commit made against an older parent is refused, and changes nothing
    old = api.model_info("acme/other").sha
    api.upload_file(path_or_fileobj=b"new", path_in_repo="new.txt", repo_id="acme/other")
    with pytest.raises(HfHubHTTPError) as stale:
        api.create_commit("acme/other", operations=[CommitOperationDelete("new.txt")],
                          commit_message="stale", parent_commit=old)  # fmt: skip
    assert stale.value.response.status_code == 412
    assert (folder / "new.txt").read_bytes() == b"new"


def test_unknown_repos_revisions_and_files_are_404(served: HubServer) -> None:
    url = served.url
    _refused(httpx.get(f"{url}/api/models/acme/nope"), 404, "Repository not found", "RepoNotFound")
    _refused(httpx.get(f"{url}/api/datasets/acme/tiny"), 404, "Repository not found")
    _refused(httpx.get(f"{url}/api/models/acme/bad%20id"), 400, "", "InvalidRepoId")
    _refused(httpx.get(f"{url}/api/models/acme/tiny/revision/v9"), 404, "Invalid rev id: v9",
             "RevisionNotFound")  # fmt: skip
    _refused(httpx.get(f"{url}/acme/tiny/resolve/v9/config.json"), 404, "Invalid rev id: v9")
    _refused(httpx.get(f"{url}/api/models/acme/tiny/tree/v9"), 404, "Invalid rev id: v9")
    sha = httpx.get(f"{url}/api/models/acme/tiny").json()["sha"]
    for path in ("acme/tiny/resolve/main/nope.json", "acme/tiny/resolve/main/outlink/x"):
        answer = httpx.get(f"{url}/{path}")
        _refused(answer, 404, "Entry not found", "EntryNotFound")
        assert answer.headers["X-Repo-Commit"] == sha
    _refused(httpx.get(f"{url}/api/models/acme/tiny/tree/main/nope"), 404, "Entry not found: nope")
    _refused(httpx.get(f"{url}/api/models/acme/tiny/tree/main/outlink"), 404, "Entry not found")
    _refused(httpx.get(f"{url}/acme/resolve/main"), 404, "Not Found")
    _refused(httpx.get(f"{url}/datasets/acme/nope/resolve/main/x.csv"), 404, "Repository not")
    answer = httpx.get(f"{url}/api/models/acme/tiny/xet-write-token/main")
    _refused(answer, 501, "HF_HUB_DISABLE_XET=1")
    # the commit id and the tree answer by sha as well as by "main"
    assert httpx.get(f"{url}/api/models/acme/tiny/revision/{sha}").json()["sha"] == sha
    tree = httpx.get(f"{url}/api/models/acme/tiny/tree/{sha}/sub?expand=true").json()
    assert [(e["path"], e["lastCommit"]["id"]) for e in tree] == [("sub/notes.txt", sha)]
    info = httpx.post(f"{url}/api/models/acme/tiny/paths-info/main",
                      data={"paths": ["sub", "config.json", "nope"]}).json()  # fmt: skip
    assert {(e["type"], e["path"]) for e in info} == {("file", "config.json"), ("directory", "sub")}


def test_writes_to_a_cache_only_repo_are_403(served: HubServer, unchanged: None) -> None:
    assert httpx.get(f"{served.url}/acme/cached/resolve/main/config.json").content == b"{}"
    api = HfApi(endpoint=served.url, token=served.token)
    assert api.model_info("acme/cached").sha == CACHED_SHA
    message = "acme/cached is read-only here: it is in the HF cache, not a local hub folder"
    with pytest.raises(HfHubHTTPError) as refused:
        api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="acme/cached")
    assert refused.value.response.status_code == 403 and message in str(refused.value)
    with pytest.raises(HfHubHTTPError) as refused:
        api.create_tag("acme/cached", tag="v1")
    assert refused.value.response.status_code == 403 and message in str(refused.value)
    data = b"PAR1"
    upload = {"operation": "upload", "objects": [{"oid": hashlib.sha256(data).hexdigest(),
                                                   "size": len(data)}]}  # fmt: skip
    _refused(_lfs(served, "acme/cached", "batch", upload), 403, "This repo is read-only here")
    with pytest.raises(HfHubHTTPError) as exists:
        api.create_repo("acme/cached")
    assert exists.value.response.status_code == 409


def test_range_requests(served: HubServer) -> None:
    url = f"{served.url}/acme/tiny/resolve/main/sub/notes.txt"  # b"0123456789"
    for spec, body, first, last in (("bytes=0-3", b"0123", 0, 3), ("bytes=7-", b"789", 7, 9),
                                    ("bytes=-3", b"789", 7, 9), ("bytes=5-100", b"56789", 5, 9),
                                    ("bytes=-50", b"0123456789", 0, 9)):  # fmt: skip
        answer = httpx.get(url, headers={"Range": spec})
        assert (answer.status_code, answer.content) == (206, body), spec
        assert answer.headers["Content-Range"] == f"bytes {first}-{last}/10"
    for spec in ("bytes=10-", "bytes=4-2", "bytes=0-1,4-5", "items=0-1", "bytes=a-b", "bytes=-0"):
        answer = httpx.get(url, headers={"Range": spec})
        assert (answer.status_code, answer.content) == (416, b""), spec
        assert answer.headers["Content-Range"] == "bytes */10"
    empty = f"{served.url}/acme/tiny/resolve/main/empty.txt"
    assert httpx.get(empty, headers={"Range": "bytes=-1"}).status_code == 416
    assert httpx.get(empty).content == b""
    head = httpx.head(url, headers={"Range": "bytes=0-3"})  # HEAD ignores Range, as the Hub
    assert head.status_code == 200 and head.headers["Content-Length"] == "10"


def test_token_checks(served: HubServer, unchanged: None) -> None:
    whoami = f"{served.url}/api/whoami-v2"
    wrong = "hf_" + "y" * 34
    for auth in ("", f"Basic {served.token}", "Bearer", f"Bearer {wrong}", served.token,
                 f"Bearer {served.token}x"):  # fmt: skip
        answer = httpx.get(whoami, headers={"Authorization": auth} if auth else {})
        _refused(answer, 401, "Invalid credentials in Authorization header")
    answer = httpx.get(whoami, headers={"Authorization": f"bearer  {served.token}"})
    assert answer.json()["name"] == served.user and answer.json()["auth"]["type"] == "access_token"
    assert served.token not in answer.text
    # a write is refused before the server says whether the repo exists
    for route in ("acme/nope/commit/main", "acme/tiny/preupload/main", "acme/nope/tag/main"):
        answer = httpx.post(f"{served.url}/api/models/{route}", content=b"{}",
                            headers={"Authorization": f"Bearer {wrong}"})  # fmt: skip
        _refused(answer, 401, "writes need the token `hf-tui hub serve` printed")
        assert served.token not in answer.text
    assert httpx.post(f"{served.url}/api/validate-yaml", json={"content": "x"}).json() == {}


def test_path_traversal_variants_are_refused(served: HubServer, unchanged: None) -> None:
    api = f"{served.url}/api/models/acme/tiny"
    auth = _auth(served)
    bad_paths = {"../secret": "Invalid path in repo", "a//b": "Invalid path", "./a": "Invalid",
                 ".hftui/tags.json": "Reserved path in repo", ".git/config": "Reserved path",
                 "a\\..\\b": "Invalid path"}  # fmt: skip
    for path, message in bad_paths.items():
        body = _ndjson(_file_op(path))
        _refused(httpx.post(f"{api}/commit/main", content=body, headers=auth), 400, message,
                 "InvalidPath")  # fmt: skip
        answer = httpx.post(f"{api}/paths-info/main", data={"paths": [path]})
        _refused(answer, 400, message, "InvalidPath")
        answer = httpx.post(f"{api}/preupload/main", json={"files": [{"path": path}]},
                            headers=auth)  # fmt: skip
        _refused(answer, 400, message, "InvalidPath")
    for op in (_file_op("outlink/x.txt"), _file_op("outlink/deeper/x.txt"),
               {"key": "deletedFile", "value": {"path": "../../outside/x"}},
               {"key": "deletedFolder", "value": {"path": "outlink/deeper"}},
               {"key": "deletedFolder", "value": {"path": ".."}}):  # fmt: skip
        answer = httpx.post(f"{api}/commit/main", content=_ndjson(op), headers=auth)
        _refused(answer, 400, "Invalid path in repo", "InvalidPath")
    _refused(httpx.post(f"{api}/commit/main", content=_ndjson(_file_op("sub")), headers=auth),
             400, "sub is a folder in the repo")  # fmt: skip
    _refused(httpx.get(f"{served.url}/acme/tiny/resolve/main/a%00b"), 400, "Invalid path")
    _refused(httpx.get(f"{api}/tree/main/sub%2F..%2F.."), 400, "Invalid path")
