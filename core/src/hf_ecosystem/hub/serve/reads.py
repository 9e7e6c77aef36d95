"""The read side of the served Hub API: search, repo info, file trees, refs and downloads.

What `list_models`/`list_datasets`, `model_info`/`dataset_info`, `snapshot_download`,
`hf_hub_download`, `from_pretrained`, `load_dataset` (through HfFileSystem) and `list_repo_refs`
ask for. Reads need no token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.safetensors_meta import count_parameters, weight_files
from hf_ecosystem.hub.serve.http import HubHttpError, Response, iso, json_response, parse_range
from hf_ecosystem.hub.serve.repo_paths import checked_path
from hf_ecosystem.hub.serve.store import RepoStore, ServedRepo, Snapshot
from hf_ecosystem.hub.types import RepoKind, RepoSummary, SearchFilters, Sort

Query = dict[str, list[str]]
_TRUE = frozenset({"1", "true", "True", "yes", "on"})
_SORTS = {
    "downloads": Sort.DOWNLOADS,
    "likes": Sort.LIKES,
    "trendingScore": Sort.TRENDING,
    "trending_score": Sort.TRENDING,
    "lastModified": Sort.UPDATED,
    "last_modified": Sort.UPDATED,
    "createdAt": Sort.UPDATED,
    "id": Sort.NAME,
    "modelId": Sort.NAME,
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PAGE = 1000
_MAX_CURSOR = 2**62  # SQLite's OFFSET is a signed 64-bit integer: a bigger cursor is no page


def _flag(query: Query, name: str) -> bool:
    return query.get(name, [""])[0] in _TRUE


def summary_item(summary: RepoSummary) -> dict[str, Any]:
    """A search result as the Hub lists it."""
    item: dict[str, Any] = {"_id": summary.id, "id": summary.id}
    if summary.kind == "model":
        item.update(modelId=summary.id, pipeline_tag=summary.task, library_name=summary.library)
    tags = [*summary.tags, summary.library, *summary.languages]
    tags += [f"license:{summary.license}" if summary.license else None]
    modified = iso(summary.last_modified or _EPOCH)
    item.update(
        author=summary.author,
        tags=list(dict.fromkeys(t for t in tags if t)),
        downloads=summary.downloads or 0,
        likes=summary.likes or 0,
        trendingScore=summary.trending_score or 0,
        lastModified=modified,
        createdAt=modified,
        private=False,
        gated=False,
        disabled=False,
    )
    return item


def list_repos(store: RepoStore, kind: RepoKind, query: Query, next_url: str) -> Response:
    """`GET /api/models` or `/api/datasets`: search, author, filter, pipeline_tag, sort, limit,
    with a `Link: rel="next"` header while more results follow."""
    filters = _filters(query)
    sort = _SORTS.get(query.get("sort", ["downloads"])[0], Sort.DOWNLOADS)
    try:
        limit = int(query.get("limit", [str(MAX_PAGE)])[0])
        start = max(int(query.get("cursor", ["0"])[0]), 0)
    except ValueError:
        raise HubHttpError(400, "Invalid limit or cursor") from None
    if start > _MAX_CURSOR:
        raise HubHttpError(400, "Invalid limit or cursor")
    size = min(max(limit, 1), MAX_PAGE)
    store.refresh()
    found = store.hub.index.search(kind, filters, sort, size + 1, start)
    headers: dict[str, str] = {}
    if len(found) > size:
        pairs = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
        query_text = urlencode([*pairs, ("cursor", str(start + size))])
        headers["Link"] = f'<{next_url}?{query_text}>; rel="next"'
    return json_response([summary_item(s) for s in found[:size]], headers=headers)


def _filters(query: Query) -> SearchFilters:
    tags: list[str] = []
    language = None
    for value in (v for raw in query.get("filter", []) for v in raw.split(",") if v):
        if value.startswith("language:"):
            language = value.removeprefix("language:")
        else:
            tags.append(value)
    tags += [f"license:{v}" for v in query.get("license", [])]
    try:
        return SearchFilters(
            query=" ".join(query.get("search", [])),
            task=(query.get("pipeline_tag") or [None])[0],
            language=language or (query.get("language") or [None])[0],
            author=(query.get("author") or [None])[0],
            tags=tuple(tags),
        )
    except HfEcoError as exc:
        raise HubHttpError(400, exc.title) from exc


def repo_info(store: RepoStore, repo: ServedRepo, revision: str, query: Query) -> Response:
    """`GET /api/{kind}s/{id}[/revision/{rev}]`: metadata, card data and files."""
    snap = store.snapshot(repo, revision)
    item = summary_item(repo.details.summary)
    item["sha"] = snap.sha
    card = repo.details.card_data.get("metadata")
    if isinstance(card, dict) and card:
        item["cardData"] = card
    blobs = _flag(query, "blobs")
    item["siblings"] = [
        f.info.sibling() if blobs else {"rfilename": path} for path, f in snap.files.items()
    ]
    item["usedStorage"] = sum(f.info.size for f in snap.files.values())
    if repo.kind == "model":
        weights = weight_files(snap.files)
        try:
            counts = count_parameters(snap.files[w].location for w in weights) if weights else {}
        except HfEcoError:
            counts = {}
        if counts:
            item["safetensors"] = {"parameters": counts, "total": sum(counts.values())}
    return json_response(item)


def tree(
    store: RepoStore, repo: ServedRepo, revision: str, sub: str, query: Query, next_url: str
) -> Response:
    """`GET /api/{kind}s/{id}/tree/{rev}[/{path}]` (recursive, expand, cursor)."""
    snap = store.snapshot(repo, revision)
    sub = checked_path(sub.strip("/")) if sub.strip("/") else ""
    dirs = _dirs(snap)
    if sub and sub not in dirs:
        headers = {"X-Repo-Commit": snap.sha}
        raise HubHttpError(404, f"Entry not found: {sub}", "EntryNotFound", headers)
    prefix = f"{sub}/" if sub else ""
    recursive = _flag(query, "recursive")

    def wanted(path: str) -> bool:
        return path.startswith(prefix) and (recursive or "/" not in path[len(prefix) :])

    modified = iso(repo.details.summary.last_modified or _EPOCH)
    commit = {"id": snap.sha, "title": "main", "date": modified}
    entries: list[dict[str, Any]] = []
    for folder in sorted(d for d in dirs if wanted(d)):
        entries.append({"type": "directory", "oid": snap.sha, "path": folder})
    entries += [f.info.tree_entry() for p, f in snap.files.items() if wanted(p)]
    if _flag(query, "expand"):
        for entry in entries:
            entry["lastCommit"] = commit
    return _page(entries, query, next_url)


def _dirs(snap: Snapshot) -> set[str]:
    dirs: set[str] = set()
    for path in snap.files:
        parts = path.split("/")[:-1]
        dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return dirs


def _page(items: list[dict[str, Any]], query: Query, next_url: str) -> Response:
    try:
        start = max(int(query.get("cursor", ["0"])[0]), 0)
    except ValueError:
        raise HubHttpError(400, "Invalid cursor") from None
    headers: dict[str, str] = {}
    if start + MAX_PAGE < len(items):
        pairs = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
        query_text = urlencode([*pairs, ("cursor", str(start + MAX_PAGE))])
        headers["Link"] = f'<{next_url}?{query_text}>; rel="next"'
    return json_response(items[start : start + MAX_PAGE], headers=headers)


def paths_info(store: RepoStore, repo: ServedRepo, revision: str, body: bytes) -> Response:
    """`POST /api/{kind}s/{id}/paths-info/{rev}` (form `paths=…`): the entries that exist."""
    snap = store.snapshot(repo, revision)
    form = parse_qs(body.decode("utf-8", "replace"))
    dirs = _dirs(snap)
    out: list[dict[str, Any]] = []
    for raw in form.get("paths", []):
        path = checked_path(raw.strip("/"))
        if path in snap.files:
            out.append(snap.files[path].info.tree_entry())
        elif path in dirs:
            out.append({"type": "directory", "oid": snap.sha, "path": path})
    return json_response(out)


def refs(store: RepoStore, repo: ServedRepo) -> Response:
    """`GET /api/{kind}s/{id}/refs`: main and the tags."""
    main = store.snapshot(repo, "main").sha
    tags = [
        {"name": name, "ref": f"refs/tags/{name}", "targetCommit": sha}
        for name, sha in store.tags(repo).items()
    ]
    branch = {"name": "main", "ref": "refs/heads/main", "targetCommit": main}
    return json_response({"branches": [branch], "converts": [], "tags": tags, "pullRequests": []})


def resolve(
    store: RepoStore, repo: ServedRepo, revision: str, filename: str, method: str, range_: str
) -> Response:
    """`HEAD|GET /[datasets/]{id}/resolve/{rev}/{path}` (one `Range` on GET)."""
    snap = store.snapshot(repo, revision)
    path = checked_path(filename)
    served = snap.files.get(path)
    if served is None:
        headers = {"X-Repo-Commit": snap.sha}
        raise HubHttpError(404, f"Entry not found: {path}", "EntryNotFound", headers)
    info = served.info
    headers = {
        "Content-Type": "application/octet-stream",
        "Accept-Ranges": "bytes",
        "ETag": f'"{info.etag}"',
        "X-Repo-Commit": snap.sha,
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(path.rsplit('/', 1)[-1])};",
    }
    if info.lfs:  # what the real Hub adds on its redirect to the LFS storage
        headers["X-Linked-Etag"] = f'"{info.sha256}"'
        headers["X-Linked-Size"] = str(info.size)
    if method == "GET" and range_:
        parsed = parse_range(range_, info.size)
        if parsed is None:
            return Response(416, b"", {**headers, "Content-Range": f"bytes */{info.size}"})
        first, last = parsed
        headers["Content-Range"] = f"bytes {first}-{last}/{info.size}"
        return Response(206, b"", headers, served.location, first, last - first + 1)
    return Response(200, b"", headers, served.location, 0, info.size)
