"""The write side of the served Hub API: create_repo, upload_folder/upload_file/create_commit
(hence `push_to_hub`), create_tag. The app checks the write token before any of these runs.

Files are uploaded inline (`"regular"` at preupload), except the data shards `datasets` uploads
ahead of its commit, which come through git-LFS (see `lfs`); commits land in the repo's folder
in the local hub.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, cast

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.repo_id import is_revision_name, validate_repo_id
from hf_ecosystem.hub.serve.http import HubHttpError, Response, as_object, json_body, json_response
from hf_ecosystem.hub.serve.lfs import LfsObjects, upload_mode
from hf_ecosystem.hub.serve.repo_paths import checked_path
from hf_ecosystem.hub.serve.store import RepoStore, ServedRepo
from hf_ecosystem.hub.types import RepoKind


def repo_url(base: str, kind: RepoKind, repo_id: str) -> str:
    """The repo's page URL, as the Hub gives it (`/datasets/` prefix for datasets)."""
    return f"{base}/{'datasets/' if kind == 'dataset' else ''}{repo_id}"


def create_repo(store: RepoStore, base: str, user: str, body: bytes) -> Response:
    """`POST /api/repos/create`: a new empty repo; 409 (with its url) when it exists."""
    data = json_body(body)
    kind = data.get("type") or "model"
    if kind not in ("model", "dataset"):
        raise HubHttpError(400, f"Only model and dataset repos can be served, not {kind!r}")
    name, org = data.get("name"), data.get("organization")
    if not isinstance(name, str) or not name or (org is not None and not isinstance(org, str)):
        raise HubHttpError(400, "A repo name is required")
    try:
        repo_id = validate_repo_id(f"{org or user}/{name}")
    except HfEcoError as exc:
        raise HubHttpError(400, exc.title, "InvalidRepoId") from exc
    url = repo_url(base, kind, repo_id)
    if not store.create(kind, repo_id):
        message = f"You already created this {kind} repo"
        return json_response({"error": message, "url": url}, 409, {"X-Error-Message": message})
    return json_response({"url": url, "name": repo_id, "id": repo_id})


def preupload(store: RepoStore, repo: ServedRepo, revision: str, body: bytes) -> Response:
    """`POST …/preupload/{rev}`: every file goes inline; the current oid lets the client skip
    files that did not change."""
    snap = store.snapshot(repo, revision)
    out: list[dict[str, Any]] = []
    entries: object = json_body(body).get("files", [])
    for entry in cast("list[object]", entries) if isinstance(entries, list) else []:
        path = checked_path(str(as_object(entry).get("path", "")))
        mode = upload_mode(path)
        info = snap.files[path].info if path in snap.files else None
        # The client skips a file whose id is unchanged: sha256 for LFS, else the git blob id.
        oid = None
        if info is not None:
            oid = info.sha256 if mode == "lfs" else None if info.lfs else info.oid
        out.append({"path": path, "uploadMode": mode, "shouldIgnore": False, "oid": oid})
    return json_response({"files": out, "commitOid": snap.sha})


def commit(
    store: RepoStore,
    lfs: LfsObjects,
    base: str,
    repo: ServedRepo,
    revision: str,
    body: bytes,
    query: str,
) -> Response:
    """`POST …/commit/{rev}` (NDJSON: a header, then `file`, `lfsFile`, `deletedFile`,
    `deletedFolder`)."""
    if revision not in ("main", "refs/heads/main"):
        raise HubHttpError(404, f"Only main takes commits here, not {revision}", "RevisionNotFound")
    if "create_pr=1" in query:
        raise HubHttpError(400, "Pull requests are not supported by hf-tui hub serve")
    try:
        lines = [as_object(json.loads(line)) for line in body.splitlines() if line.strip()]
    except ValueError:
        raise HubHttpError(400, "The commit body is not NDJSON") from None
    if not lines or lines[0].get("key") != "header":
        raise HubHttpError(400, "The commit body must start with a header line")
    parent = as_object(lines[0].get("value")).get("parentCommit")
    adds: dict[str, bytes] = {}
    deletes: list[str] = []
    folders: list[str] = []
    for line in lines[1:]:
        key = line.get("key")
        value = as_object(line.get("value"))
        path = checked_path(str(value.get("path", "")).strip("/"))
        if key == "file":
            adds[path] = _decoded(path, value)
        elif key == "deletedFile":
            deletes.append(path)
        elif key == "deletedFolder":
            folders.append(path)
        elif key == "lfsFile":
            adds[path] = lfs.content(path, value)
        else:
            raise HubHttpError(400, f"Unknown commit operation: {key}")
    sha = store.commit(repo, adds, deletes, folders, str(parent) if parent else None)
    url = f"{repo_url(base, repo.kind, repo.repo_id)}/commit/{sha}"
    return json_response({"success": True, "commitOid": sha, "commitUrl": url})


def _decoded(path: str, value: dict[str, Any]) -> bytes:
    if value.get("encoding") != "base64":
        raise HubHttpError(400, f"Unsupported encoding for {path}")
    try:
        content = base64.b64decode(str(value.get("content", "")), validate=True)
    except (binascii.Error, ValueError):
        raise HubHttpError(400, f"{path}: the content is not base64") from None
    return content


def tag(store: RepoStore, repo: ServedRepo, revision: str, body: bytes) -> Response:
    """`POST …/tag/{rev}` (`{"tag": name}`); 409 when the tag exists."""
    name = json_body(body).get("tag")
    if not isinstance(name, str) or not is_revision_name(name.strip()):
        raise HubHttpError(400, "A tag name of letters, digits, '.', '_' and '-' is required")
    store.tag(repo, revision, name.strip())
    return json_response({})
