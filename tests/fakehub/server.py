"""A loopback fake of the Hugging Face Hub HTTP API, for tests.

Stdlib, the HTTP plumbing and git/LFS ids of the product's ``hf-tui hub serve``
(``hf_ecosystem.hub.serve.http`` and ``.blobs``), and an optional ``yaml`` import to parse
model-card front matter. It keeps what the product server has no use for: search sorting,
private and gated repos, several users and orgs, injected failures and delays. The real
``huggingface_hub.HfApi`` / ``hf_hub_download`` / ``snapshot_download`` talk to it over real HTTP
when given ``endpoint=hub.url``.

Supported routes (everything else answers ``404 {"error": "Not Found"}``):

* ``GET  /api/whoami-v2``
* ``GET  /api/models`` and ``/api/datasets`` (search, author, filter, pipeline_tag, gated, sort,
  direction, limit, cursor; ``Link: <...>; rel="next"`` pagination)
* ``GET  /api/{models|datasets}/{repo_id}[/revision/{rev}]`` (``blobs=true`` adds file sizes)
* ``GET  /api/{models|datasets}/{repo_id}/tree/{rev}[/{path}]`` (``recursive``, ``expand``)
* ``HEAD|GET /[datasets/]{repo_id}/resolve/{rev}/{path}`` (``Range`` supported on GET)
* ``POST /api/validate-yaml``
* ``POST /api/repos/create`` (409 when the repo exists; the writer must own the namespace)
* ``POST /api/{models|datasets}/{repo_id}/preupload/{rev}`` (every file is ``"regular"`` unless
  :attr:`FakeHub.lfs_threshold` is set, see below)
* ``POST /api/{models|datasets}/{repo_id}/commit/{rev}`` (NDJSON: header, ``file`` with base64
  content, ``lfsFile``, ``deletedFile``, ``deletedFolder``; applied to the :class:`FakeRepo`)
* ``POST /[datasets/]{repo_id}.git/info/lfs/objects/batch`` and ``.../objects/verify`` (git-LFS)
* ``PUT  /lfs-storage/{sha256}?token=...`` (the "pre-signed" upload URL the batch hands out)
* ``POST /api/{models|datasets}/{repo_id}/tag/{rev}`` and ``GET .../refs``
* ``PUT  /api/{models|datasets}/{repo_id}/settings`` (``HfApi.update_repo_settings``: JSON
  ``visibility`` ``"public"|"private"`` or the older ``private`` boolean, and ``gated``
  ``"auto"|"manual"|false``; a write token for the repo's namespace)

Revisions: ``main``, the current commit sha, a tag name (``v1`` or ``refs/tags/v1``) or the sha
of any earlier commit or tag the server has seen.

Git-LFS uploads (with ``HF_HUB_DISABLE_XET=1``, the client's classic HTTP path). By default
(``lfs_threshold = None``) preupload answers ``"regular"`` for every file, so nothing goes through
LFS. With ``hub.lfs_threshold = N`` it follows the real Hub's rule with N in place of its 10 MiB:
a non-empty file is ``"lfs"`` when its path ends with one of the ``.gitattributes`` LFS suffixes
(``*.safetensors``, ``*.bin``, ...) or it has at least N bytes. The client then

1. ``POST {repo}.git/info/lfs/objects/batch`` (write token; body ``{"operation": "upload",
   "transfers": ["basic", "multipart"], "objects": [{"oid": sha256, "size"}], "hash_algo":
   "sha256", "ref": {"name": rev}}``); the answer is ``{"transfer": "basic", "objects": [...]}``,
   each object with ``actions.upload.href`` (``/lfs-storage/{oid}?token=...``, no auth needed,
   like a pre-signed S3 URL; no ``chunk_size`` so never multipart) and ``actions.verify.href``,
   or with no ``actions`` when the object is already stored (the client skips it);
2. ``PUT``s the bytes to the href (400 unless their size and sha256 match the oid; 403 for an
   unknown token), then ``POST``s ``{"oid", "size"}`` to the verify href (404 if not stored);
3. commits ``{"key": "lfsFile", "value": {"path", "algo": "sha256", "oid", "size"}}`` lines,
   which materialise the stored object (400 when it was never uploaded) as the file; the path is
   then in :attr:`FakeRepo.lfs_paths` and served as an LFS file (tree/siblings ``lfs`` entries,
   ``ETag``/``X-Linked-Etag`` = sha256, ``X-Linked-Size``).

Stored objects are in :attr:`FakeHub.lfs_objects` (sha256 -> bytes); :attr:`FakeHub.requests`
shows which route each upload took.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeGuard
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from hf_ecosystem.hub.serve.blobs import (
    GITATTRIBUTES,
    LFS_MIN_SIZE,
    LFS_SUFFIXES,
    content_digests,
)
from hf_ecosystem.hub.serve.http import (
    HubHttpError,
    LoopbackHttpServer,
    Response,
    iso,
    json_response,
    parse_range,
)

__all__ = ["FakeHub", "FakeRepo"]

DEFAULT_CREATED_AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
DEFAULT_LAST_MODIFIED = datetime(2024, 6, 7, 8, 9, 10, tzinfo=UTC)

_LFS_MIN_SIZE = LFS_MIN_SIZE
_LFS_SUFFIXES = LFS_SUFFIXES
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LFS_JSON = "application/vnd.git-lfs+json"

# Path segments that can follow a repo id in /api/{kind}s/... URLs.
_API_SUBPATHS = frozenset(
    {
        "revision",
        "tree",
        "resolve",
        "refs",
        "commits",
        "commit",
        "paths-info",
        "discussions",
        "preupload",
        "tag",
        "settings",
    }
)
_GITATTRIBUTES = GITATTRIBUTES

_SORT_KEYS = {
    "downloads": "downloads",
    "likes": "likes",
    "trendingScore": "trending_score",
    "trending_score": "trending_score",
    "lastModified": "last_modified",
    "last_modified": "last_modified",
    "createdAt": "created_at",
    "created_at": "created_at",
    "id": "repo_id",
    "modelId": "repo_id",
}

_TRUE = frozenset({"1", "true", "True", "yes", "on"})


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------


@dataclass
class FakeRepo:
    """A repository served by :class:`FakeHub`.

    ``tags`` returned by the API are ``tags + [library_name] + languages + ["license:<x>"]``,
    deduplicated in that order. ``files`` maps a path to its content; ``README.md`` is the card
    (its YAML front matter becomes ``cardData``). The object is kept by reference: mutating it
    after :meth:`FakeHub.add` is reflected in later responses (the commit sha changes with files).
    """

    repo_id: str
    kind: Literal["model", "dataset"] = "model"
    files: dict[str, bytes] = field(default_factory=dict)
    pipeline_tag: str | None = None
    library_name: str | None = None
    tags: list[str] = field(default_factory=list)
    license: str | None = None
    languages: list[str] = field(default_factory=list)
    downloads: int = 0
    likes: int = 0
    trending_score: float = 0.0
    last_modified: datetime = DEFAULT_LAST_MODIFIED
    created_at: datetime = DEFAULT_CREATED_AT
    parameters: dict[str, int] | None = None
    private: bool = False
    gated: bool = False
    git_tags: dict[str, str] = field(default_factory=dict)  # tag name -> commit sha
    snapshots: dict[str, dict[str, bytes]] = field(default_factory=dict)  # sha -> files
    commit_titles: list[str] = field(default_factory=list)  # commits received, oldest first
    # Paths committed through git-LFS (``lfsFile``); served as LFS at every revision, on top of
    # the paths LFS by suffix or size.
    lfs_paths: set[str] = field(default_factory=set)

    # -- derived values ------------------------------------------------------------------

    @property
    def author(self) -> str | None:
        return self.repo_id.split("/", 1)[0] if "/" in self.repo_id else None

    def all_tags(self) -> list[str]:
        out: list[str] = []
        extra = [self.library_name] if self.library_name else []
        lic = [f"license:{self.license}"] if self.license else []
        for tag in [*self.tags, *extra, *self.languages, *lic]:
            if tag not in out:
                out.append(tag)
        return out

    def file_bytes(self) -> dict[str, bytes]:
        return {
            path: (content.encode() if isinstance(content, str) else bytes(content))
            for path, content in self.files.items()
        }

    @property
    def sha(self) -> str:
        """Deterministic 40-hex commit id, derived from the repo id and its files."""
        h = hashlib.sha1(usedforsecurity=False)
        h.update(f"{self.kind}:{self.repo_id}\0".encode())
        for path, content in sorted(self.file_bytes().items()):
            h.update(path.encode() + b"\0" + _digests(content)[0].encode() + b"\0")
        return h.hexdigest()

    @property
    def object_id(self) -> str:
        return hashlib.sha1(
            f"{self.kind}:{self.repo_id}".encode(), usedforsecurity=False
        ).hexdigest()[:24]

    def card_data(self, files: dict[str, bytes] | None = None) -> dict[str, Any] | None:
        readme = (files if files is not None else self.file_bytes()).get("README.md")
        return _parse_front_matter(readme) if readme is not None else None

    def remember(self) -> str:
        """Keep the current files as a snapshot (so the commit stays resolvable); its sha."""
        sha = self.sha
        self.snapshots[sha] = self.file_bytes()
        return sha

    def snapshot(self, revision: str) -> tuple[str, dict[str, bytes]] | None:
        """(commit sha, files) at a branch, tag or commit; None when the revision is unknown."""
        sha = self.sha
        if revision in ("main", "refs/heads/main", sha):
            return sha, self.file_bytes()
        name = revision.removeprefix("refs/tags/")
        target = self.git_tags.get(name, revision)
        files = self.snapshots.get(target)
        return (target, dict(files)) if files is not None else None


def _digests(content: bytes) -> tuple[str, str]:
    """(git blob sha1, sha256) of a file content."""
    found = content_digests(content)
    return found.git_sha1, found.sha256


@dataclass(frozen=True)
class _FileInfo:
    path: str
    content: bytes
    oid: str  # git blob id (of the LFS pointer for LFS files)
    sha256: str
    lfs: bool
    pointer_size: int

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.oid


def _file_info(path: str, content: bytes, *, lfs: bool = False) -> _FileInfo:
    git_sha1, sha256 = _digests(content)
    is_lfs = lfs or path.lower().endswith(_LFS_SUFFIXES) or len(content) >= _LFS_MIN_SIZE
    if not is_lfs:
        return _FileInfo(path, content, git_sha1, sha256, False, 0)
    pointer = (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {len(content)}\n"
    ).encode()
    return _FileInfo(path, content, _digests(pointer)[0], sha256, True, len(pointer))


def _parse_front_matter(readme: bytes) -> dict[str, Any] | None:
    text = readme.decode("utf-8", errors="replace").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 4)
    if end == -1:
        return None
    try:
        import yaml  # pyyaml; optional

        data = yaml.safe_load(text[4:end])
    except Exception:
        return None
    if not isinstance(data, dict):
        return None
    return json.loads(json.dumps(data, default=str))  # dates etc. -> JSON-safe


_iso = iso


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


# The HTTP plumbing is the product's (`hf-tui hub serve`): one copy of the protocol details.
_Response = Response
_HubError = HubHttpError
_json_response = json_response


@dataclass
class _Rule:
    prefix: str
    remaining: int
    status: int = 0
    seconds: float = 0.0


_Server = LoopbackHttpServer


# --------------------------------------------------------------------------------------------
# The fake Hub
# --------------------------------------------------------------------------------------------


class FakeHub:
    """Loopback fake Hugging Face Hub. The socket is bound in ``__init__``; call :meth:`start`.

    Attributes:
        url: ``"http://127.0.0.1:PORT"``, pass it as ``endpoint=`` to the client.
        page_size: max items per ``/api/models|datasets`` page (``limit`` lowers it further).
        tree_page_size: max entries per ``/tree`` page.
        requests: ``(method, path_with_query, headers)`` for every request received, in order;
            header names are lower-cased.
        server_errors: tracebacks of unexpected exceptions inside the server (should stay empty).
        reject_invalid_tokens: if True, any request carrying an unknown bearer token gets
            ``401 Invalid credentials in Authorization header`` (like the real Hub). By default
            unknown tokens are treated as anonymous (except by ``/api/whoami-v2``).
        lfs_threshold: None (default): preupload says ``"regular"`` for every file. A size in
            bytes: non-empty files at least that big, or with an LFS suffix, are ``"lfs"`` (the
            real Hub's rule with 10 MiB). :meth:`reset` sets it back to None.
        lfs_objects: git-LFS objects uploaded so far, sha256 hex -> content.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, page_size: int = 50) -> None:
        self.page_size = page_size
        self.tree_page_size = 1000
        self.reject_invalid_tokens = False
        self.lfs_threshold: int | None = None
        self.lfs_objects: dict[str, bytes] = {}
        self._lfs_tickets: dict[str, tuple[str, int]] = {}  # upload token -> (oid, size)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.server_errors: list[str] = []
        self._lock = threading.RLock()
        self._repos: dict[tuple[str, str], FakeRepo] = {}
        self._tokens: dict[str, tuple[str, str]] = {}
        self._orgs: dict[str, tuple[str, ...]] = {}
        self._grants: set[tuple[str, str]] = set()
        self._fails: list[_Rule] = []
        self._delays: list[_Rule] = []
        self._wake = threading.Event()
        self._server = _Server((host, port), self)
        bound_host, bound_port = self._server.server_address[:2]
        self.host = str(bound_host)
        self.port = int(bound_port)
        self.url = f"http://{self.host}:{self.port}"
        self._thread: threading.Thread | None = None
        self._stopped = False

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeHub:
        if self._stopped:
            raise RuntimeError("FakeHub cannot be restarted after stop(); create a new one")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fakehub-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._wake.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
        self._server.close_connections()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state ---------------------------------------------------------------------------

    def add(self, repo: FakeRepo) -> FakeRepo:
        if repo.kind not in ("model", "dataset"):
            raise ValueError(f"unsupported repo kind: {repo.kind!r}")
        with self._lock:
            self._repos[(repo.kind, repo.repo_id)] = repo
        return repo

    def remove(self, repo_id: str, kind: str = "model") -> None:
        with self._lock:
            self._repos.pop((kind, repo_id), None)

    def reset(self) -> None:
        """Forget repos, tokens, grants, failures, delays, recorded requests and LFS objects;
        turn LFS answers off again (``lfs_threshold = None``)."""
        with self._lock:
            self.lfs_threshold = None
            self.lfs_objects.clear()
            self._lfs_tickets.clear()
            self._repos.clear()
            self._tokens.clear()
            self._orgs.clear()
            self._grants.clear()
            self._fails.clear()
            self._delays.clear()
            self.requests.clear()
            self.server_errors.clear()
            self._wake.set()  # wake handlers still sleeping on a delay from a previous test
            self._wake = threading.Event()

    def add_token(
        self, token: str, user: str = "alice", role: str = "write", orgs: tuple[str, ...] = ()
    ) -> None:
        """Register a token of `user` (role ``read`` or ``write``), member of `orgs`."""
        with self._lock:
            self._tokens[token] = (user, role)
            self._orgs[user] = tuple(orgs)

    def grant(self, user: str, repo_id: str) -> None:
        with self._lock:
            self._grants.add((user, repo_id))

    def fail(self, path_prefix: str, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests whose path starts with ``path_prefix`` with
        ``status`` and ``{"error": ...}``. The prefix is matched against the raw URL path (as
        sent, without query string) unless it contains ``?``."""
        with self._lock:
            self._fails.append(_Rule(path_prefix, times, status=status))

    def delay(self, path_prefix: str, seconds: float, times: int = 1) -> None:
        """Sleep ``seconds`` before answering the next ``times`` matching requests."""
        with self._lock:
            self._delays.append(_Rule(path_prefix, times, seconds=seconds))

    # -- request processing --------------------------------------------------------------

    @staticmethod
    def _take(rules: list[_Rule], path: str, full: str) -> _Rule | None:
        for rule in rules:
            target = full if "?" in rule.prefix else path
            if rule.remaining > 0 and target.startswith(rule.prefix):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    rules.remove(rule)
                return rule
        return None

    def server_error(self, trace: str) -> None:
        """An exception outside the routes (the HTTP server's handler)."""
        self.server_errors.append(trace)

    def process(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> _Response:
        """Answer one request (what the HTTP server calls)."""
        return self._process(method, raw_path, headers, body)

    def _process(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> _Response:
        split = urlsplit(raw_path)
        path = split.path
        with self._lock:
            self.requests.append((method, raw_path, dict(headers)))
            delay = self._take(self._delays, path, raw_path)
            wake = self._wake
        if delay is not None:
            wake.wait(delay.seconds)
        with self._lock:
            failure = self._take(self._fails, path, raw_path)
        if failure is not None:
            return _json_response(
                {"error": f"Injected failure {failure.status} for {path}"},
                failure.status,
                {"X-Error-Message": f"Injected failure {failure.status}"},
            )
        try:
            return self._route(method, path, parse_qs(split.query), headers, body)
        except _HubError as err:
            return err.response()
        except Exception:
            tb = traceback.format_exc()
            self.server_errors.append(tb)
            return _json_response({"error": f"FakeHub internal error:\n{tb}"}, 500)

    def _user(self, headers: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return None
        token = auth[7:].strip()
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None and self.reject_invalid_tokens:
            raise _HubError(401, "Invalid credentials in Authorization header")
        return entry[0] if entry else None

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> _Response:
        segs = [unquote(s) for s in path.split("/")[1:]]
        if segs and segs[-1] == "" and len(segs) > 1:
            segs = segs[:-1]

        if segs == ["api", "whoami-v2"] and method == "GET":
            return self._whoami(headers)
        if segs == ["api", "validate-yaml"] and method == "POST":
            return _json_response({})
        if segs == ["api", "repos", "create"] and method == "POST":
            return self._create_repo(headers, body)
        if len(segs) == 2 and segs[0] == "lfs-storage":
            if method != "PUT":
                raise _HubError(405, "Method not allowed")
            return self._lfs_store(segs[1], query, body)
        lfs_route = _lfs_route(segs)
        if lfs_route is not None:
            if method != "POST":
                raise _HubError(405, "Method not allowed")
            kind, repo_id, action = lfs_route
            repo = self._writable(kind, repo_id, headers)
            if action == "batch":
                return self._lfs_batch(repo, body)
            return self._lfs_verify(body)

        user = self._user(headers)

        if len(segs) >= 2 and segs[0] == "api" and segs[1] in ("models", "datasets"):
            kind = segs[1][:-1]
            rest = segs[2:]
            if not rest:
                if method != "GET":
                    raise _HubError(405, "Method not allowed")
                return self._list(kind, query, user, path)
            if len(rest) >= 2 and rest[1] not in _API_SUBPATHS:
                repo_id, tail = f"{rest[0]}/{rest[1]}", rest[2:]
            else:
                repo_id, tail = rest[0], rest[1:]
            if method == "POST" and len(tail) == 2 and tail[0] in ("preupload", "commit", "tag"):
                repo = self._writable(kind, repo_id, headers)
                if tail[0] == "preupload":
                    return self._preupload(repo, tail[1], body)
                if tail[0] == "commit":
                    return self._commit(repo, tail[1], body)
                return self._tag(repo, tail[1], body)
            if method == "PUT" and tail == ["settings"]:
                return self._settings(self._writable(kind, repo_id, headers), body)
            if method != "GET":
                raise _HubError(405, "Method not allowed")
            if tail == ["refs"]:
                return self._refs(self._get_repo(kind, repo_id, user))
            if not tail:
                return self._info(kind, repo_id, "main", query, user)
            if tail[0] == "revision" and len(tail) == 2:
                return self._info(kind, repo_id, tail[1], query, user)
            if tail[0] == "tree" and len(tail) >= 2:
                return self._tree(kind, repo_id, tail[1], "/".join(tail[2:]), query, user, path)

        if method in ("GET", "HEAD") and "resolve" in segs[:4]:
            kind = "model"
            rest = segs
            if rest and rest[0] == "datasets":
                kind, rest = "dataset", rest[1:]
            if len(rest) >= 4 and rest[2] == "resolve":
                repo_id, tail = f"{rest[0]}/{rest[1]}", rest[3:]
            elif len(rest) >= 3 and rest[1] == "resolve":
                repo_id, tail = rest[0], rest[2:]
            else:
                raise _HubError(404, "Not Found")
            if len(tail) < 2:
                raise _HubError(404, "Not Found")
            return self._resolve(method, kind, repo_id, tail[0], "/".join(tail[1:]), headers, user)

        raise _HubError(404, "Not Found")

    # -- endpoints -----------------------------------------------------------------------

    def _whoami(self, headers: dict[str, str]) -> _Response:
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        with self._lock:
            entry = self._tokens.get(token) if token else None
        if entry is None:
            raise _HubError(401, "Invalid credentials in Authorization header")
        name, role = entry
        with self._lock:
            orgs = self._orgs.get(name, ())
        return _json_response(
            {
                "type": "user",
                "name": name,
                "fullname": name.title(),
                "orgs": [{"name": org, "type": "org"} for org in orgs],
                "auth": {
                    "type": "access_token",
                    "accessToken": {"displayName": "fakehub", "role": role},
                },
            }
        )

    def _visible(self, repo: FakeRepo, user: str | None) -> bool:
        return not repo.private or user is not None

    def _get_repo(self, kind: str, repo_id: str, user: str | None) -> FakeRepo:
        with self._lock:
            repo = self._repos.get((kind, repo_id))
        if repo is None or not self._visible(repo, user):
            raise _HubError(404, "Repository not found", "RepoNotFound")
        return repo

    @staticmethod
    def _revision(repo: FakeRepo, revision: str) -> tuple[str, dict[str, bytes]]:
        found = repo.snapshot(revision)
        if found is None:
            raise _HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return found

    @classmethod
    def _check_revision(cls, repo: FakeRepo, revision: str) -> str:
        return cls._revision(repo, revision)[0]

    def _item(
        self,
        repo: FakeRepo,
        *,
        card: bool = False,
        siblings: bool = False,
        blobs: bool = False,
        at: tuple[str, dict[str, bytes]] | None = None,
    ) -> dict[str, Any]:
        sha, files = at if at is not None else (repo.sha, repo.file_bytes())
        item: dict[str, Any] = {"_id": repo.object_id, "id": repo.repo_id}
        if repo.kind == "model":
            item["modelId"] = repo.repo_id
        item["author"] = repo.author
        item["sha"] = sha
        if repo.kind == "model":
            item["pipeline_tag"] = repo.pipeline_tag
            item["library_name"] = repo.library_name
        item.update(
            {
                "tags": repo.all_tags(),
                "downloads": repo.downloads,
                "likes": repo.likes,
                "trendingScore": repo.trending_score,
                "lastModified": _iso(repo.last_modified),
                "createdAt": _iso(repo.created_at),
                "private": repo.private,
                "gated": (
                    repo.gated if isinstance(repo.gated, str) else ("auto" if repo.gated else False)
                ),
                "disabled": False,
            }
        )
        if repo.kind == "model" and repo.parameters is not None:
            item["safetensors"] = {
                "parameters": dict(repo.parameters),
                "total": sum(repo.parameters.values()),
            }
        if card:
            card_data = repo.card_data(files)
            if card_data is not None:
                item["cardData"] = card_data
        if siblings:
            out = []
            for path, content in sorted(files.items()):
                entry: dict[str, Any] = {"rfilename": path}
                if blobs:
                    info = _file_info(path, content, lfs=path in repo.lfs_paths)
                    entry["size"] = info.size
                    entry["blobId"] = info.oid
                    if info.lfs:
                        entry["lfs"] = {
                            "sha256": info.sha256,
                            "size": info.size,
                            "pointerSize": info.pointer_size,
                        }
                out.append(entry)
            item["siblings"] = out
        return item

    def _page(
        self,
        items: list[Any],
        query: dict[str, list[str]],
        size: int,
        path: str,
    ) -> _Response:
        try:
            start = int(query.get("cursor", ["0"])[0])
        except ValueError:
            raise _HubError(400, "Invalid cursor") from None
        start = max(start, 0)
        page = items[start : start + size]
        headers: dict[str, str] = {}
        if start + size < len(items):
            pairs = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
            pairs.append(("cursor", str(start + size)))
            next_url = f"{self.url}{path}?{urlencode(pairs)}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        return _json_response(page, 200, headers)

    def _list(
        self, kind: str, query: dict[str, list[str]], user: str | None, path: str
    ) -> _Response:
        with self._lock:
            repos = [r for (k, _), r in self._repos.items() if k == kind and self._visible(r, user)]

        for needle in query.get("search", []):
            repos = [r for r in repos if needle.lower() in r.repo_id.lower()]
        if "author" in query:
            author = query["author"][0].lower()
            repos = [r for r in repos if (r.author or "").lower() == author]
        for flt in query.get("filter", []):
            for tag in (t for t in flt.split(",") if t):
                repos = [r for r in repos if _matches_filter(r, tag)]
        if "pipeline_tag" in query:
            repos = [r for r in repos if r.pipeline_tag == query["pipeline_tag"][0]]
        if "gated" in query:
            want = query["gated"][0] in _TRUE
            repos = [r for r in repos if bool(r.gated) == want]

        if "sort" in query:
            sort = query["sort"][0]
            if sort not in _SORT_KEYS:
                raise _HubError(400, f"Invalid sort parameter: {sort}")
            attr = _SORT_KEYS[sort]
            direction = query.get("direction", ["-1"])[0]
            ascending = direction in ("1", "asc", "ascending")

            def sort_key(r: FakeRepo) -> Any:
                value = getattr(r, attr)
                if isinstance(value, datetime) and value.tzinfo is None:
                    value = value.replace(tzinfo=UTC)
                return value

            repos = sorted(repos, key=sort_key, reverse=not ascending)

        size = self.page_size
        if "limit" in query:
            try:
                size = min(size, int(query["limit"][0]))
            except ValueError:
                raise _HubError(400, "Invalid limit") from None
        size = max(size, 1)

        flags = set(query.get("expand", []))
        full = query.get("full", [""])[0] in _TRUE
        card = full or query.get("cardData", [""])[0] in _TRUE or "cardData" in flags
        siblings = full or "siblings" in flags
        items = [self._item(r, card=card, siblings=siblings) for r in repos]
        return self._page(items, query, size, path)

    def _info(
        self, kind: str, repo_id: str, revision: str, query: dict[str, list[str]], user: str | None
    ) -> _Response:
        repo = self._get_repo(kind, repo_id, user)
        at = self._revision(repo, revision)
        blobs = query.get("blobs", [""])[0] in _TRUE
        item = self._item(repo, card=True, siblings=True, blobs=blobs, at=at)
        item["usedStorage"] = sum(len(c) for c in at[1].values())
        return _json_response(item)

    def _tree(
        self,
        kind: str,
        repo_id: str,
        revision: str,
        sub: str,
        query: dict[str, list[str]],
        user: str | None,
        path: str,
    ) -> _Response:
        repo = self._get_repo(kind, repo_id, user)
        sha, files = self._revision(repo, revision)
        recursive = query.get("recursive", [""])[0] in _TRUE
        expand = query.get("expand", [""])[0] in _TRUE
        sub = sub.strip("/")

        dirs: set[str] = set()
        for p in files:
            parts = p.split("/")[:-1]
            dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        if sub and sub not in dirs:
            raise _HubError(404, f"Entry not found: {sub}", "EntryNotFound", {"X-Repo-Commit": sha})

        prefix = f"{sub}/" if sub else ""

        def wanted(p: str) -> bool:
            if not p.startswith(prefix):
                return False
            return recursive or "/" not in p[len(prefix) :]

        commit = {"id": sha, "title": "Upload folder", "date": _iso(repo.last_modified)}
        entries: list[dict[str, Any]] = []
        for d in sorted(x for x in dirs if wanted(x)):
            oid = hashlib.sha1(f"tree:{sha}:{d}".encode(), usedforsecurity=False).hexdigest()
            entry: dict[str, Any] = {"type": "directory", "oid": oid, "path": d}
            if expand:
                entry["lastCommit"] = commit
            entries.append(entry)
        for p in sorted(x for x in files if wanted(x)):
            info = _file_info(p, files[p], lfs=p in repo.lfs_paths)
            entry = {"type": "file", "oid": info.oid, "size": info.size, "path": p}
            if info.lfs:
                entry["lfs"] = {
                    "oid": info.sha256,
                    "size": info.size,
                    "pointerSize": info.pointer_size,
                }
            if expand:
                entry["lastCommit"] = commit
            entries.append(entry)
        return self._page(entries, query, max(self.tree_page_size, 1), path)

    # -- writing -------------------------------------------------------------------------

    def _writer(self, headers: dict[str, str], namespace: str | None) -> str:
        """The user of a write token allowed to write under `namespace` (their own by default)."""
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        with self._lock:
            entry = self._tokens.get(token) if token else None
            orgs = self._orgs.get(entry[0], ()) if entry else ()
        if entry is None:
            raise _HubError(401, "Invalid credentials in Authorization header")
        name, role = entry
        if role not in ("write", "admin"):
            raise _HubError(403, "This token has read access only; writing needs a write token")
        if namespace not in (None, name, *orgs):
            raise _HubError(403, f"You don't have the rights to write under {namespace!r}")
        return name

    def _writable(self, kind: str, repo_id: str, headers: dict[str, str]) -> FakeRepo:
        user = self._writer(headers, None)  # 401/403 for a bad or read-only token first
        repo = self._get_repo(kind, repo_id, user)
        self._writer(headers, repo.author)
        return repo

    @staticmethod
    def _json_body(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise _HubError(400, "Invalid JSON body") from None
        if not isinstance(data, dict):
            raise _HubError(400, "Expected a JSON object")
        return data  # pyright: ignore[reportUnknownVariableType]

    def _create_repo(self, headers: dict[str, str], body: bytes) -> _Response:
        data = self._json_body(body)
        kind = data.get("type") or "model"
        if kind not in ("model", "dataset"):
            raise _HubError(400, f"Unsupported repo type: {kind}")
        name, org = data.get("name"), data.get("organization")
        if not isinstance(name, str) or not name:
            raise _HubError(400, "A repo name is required")
        user = self._writer(headers, org)
        repo_id = f"{org or user}/{name}"
        prefix = "" if kind == "model" else "datasets/"
        url = f"{self.url}/{prefix}{repo_id}"
        with self._lock:
            if (kind, repo_id) in self._repos:
                # The client reads `url` from the 409 too (create_repo(exist_ok=True)).
                message = f"You already created this {kind} repo"
                return _json_response(
                    {"error": message, "url": url}, 409, {"X-Error-Message": message}
                )
            private = data.get("visibility") == "private" or bool(data.get("private"))
            now = datetime.now(UTC)
            repo = FakeRepo(
                repo_id,
                kind=kind,
                files={".gitattributes": _GITATTRIBUTES},
                private=private,
                created_at=now,
                last_modified=now,
            )
            repo.remember()
            self._repos[(kind, repo_id)] = repo
        return _json_response({"url": url, "name": repo_id, "id": repo.object_id})

    def _upload_mode(self, path: str, size: object) -> Literal["regular", "lfs"]:
        threshold = self.lfs_threshold
        if threshold is None or not isinstance(size, int) or size <= 0:
            return "regular"
        lfs = size >= threshold or path.lower().endswith(_LFS_SUFFIXES)
        return "lfs" if lfs else "regular"

    def _preupload(self, repo: FakeRepo, revision: str, body: bytes) -> _Response:
        _, files = self._revision(repo, revision)
        out = []
        for entry in self._json_body(body).get("files", []):
            path = str(entry.get("path", ""))
            mode = self._upload_mode(path, entry.get("size"))
            current = files.get(path)
            # The client skips a file whose oid is unchanged: git blob sha1, or sha256 for LFS.
            oid = None if current is None else _digests(current)[0 if mode == "regular" else 1]
            out.append({"path": path, "uploadMode": mode, "shouldIgnore": False, "oid": oid})
        return _json_response({"files": out, "commitOid": self._revision(repo, revision)[0]})

    def _commit(self, repo: FakeRepo, revision: str, body: bytes) -> _Response:
        if revision not in ("main", "refs/heads/main"):
            raise _HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        try:
            lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        except ValueError:
            raise _HubError(400, "The commit body is not NDJSON") from None
        if not lines or lines[0].get("key") != "header":
            raise _HubError(400, "The commit body must start with a header line")
        header = lines[0].get("value") or {}
        with self._lock:
            parent = header.get("parentCommit")
            if parent and parent != repo.sha:
                raise _HubError(412, "A commit has happened since. Please refresh and try again.")
            files = repo.file_bytes()
            lfs_paths = set(repo.lfs_paths)
            for line in lines[1:]:
                key, value = line.get("key"), line.get("value") or {}
                path = str(value.get("path", "")).strip("/")
                if key == "file":
                    if value.get("encoding") != "base64":
                        raise _HubError(400, f"Unsupported encoding for {path}")
                    files[path] = base64.b64decode(value.get("content", ""))
                    lfs_paths.discard(path)
                elif key == "lfsFile":
                    files[path] = self._lfs_object(path, value)
                    lfs_paths.add(path)
                elif key == "deletedFile":
                    if path not in files:
                        raise _HubError(404, f"A file with this name doesn't exist: {path}")
                    del files[path]
                    lfs_paths.discard(path)
                elif key == "deletedFolder":
                    files = {p: c for p, c in files.items() if not p.startswith(f"{path}/")}
                    lfs_paths = {p for p in lfs_paths if not p.startswith(f"{path}/")}
                else:
                    raise _HubError(400, f"Unknown commit operation: {key}")
            repo.files = dict(files)
            repo.lfs_paths = lfs_paths
            repo.last_modified = datetime.now(UTC)
            repo.commit_titles.append(str(header.get("summary", "")))
            sha = repo.remember()
        prefix = "" if repo.kind == "model" else "datasets/"
        return _json_response(
            {
                "success": True,
                "commitOid": sha,
                "commitUrl": f"{self.url}/{prefix}{repo.repo_id}/commit/{sha}",
            }
        )

    # -- git-LFS -----------------------------------------------------------------------

    def _lfs_object(self, path: str, value: dict[str, Any]) -> bytes:
        """The stored content an ``lfsFile`` commit line points at (400 if it is missing)."""
        if value.get("algo", "sha256") != "sha256":
            raise _HubError(400, f"Unsupported LFS hash algorithm for {path}: {value.get('algo')}")
        oid = str(value.get("oid", ""))
        with self._lock:
            content = self.lfs_objects.get(oid)
        if content is None:
            raise _HubError(
                400, f"Your push was rejected: the LFS object {oid} of {path} was never uploaded"
            )
        size = value.get("size")
        if size is not None and size != len(content):
            raise _HubError(400, f"LFS object {oid} of {path} has {len(content)} bytes, not {size}")
        return content

    def _lfs_batch(self, repo: FakeRepo, body: bytes) -> _Response:
        data = self._json_body(body)
        if data.get("operation") != "upload":
            raise _HubError(400, "FakeHub's LFS batch endpoint only takes operation 'upload'")
        transfers = data.get("transfers") or ["basic"]
        if not isinstance(transfers, list) or "basic" not in transfers:
            raise _HubError(422, "FakeHub only offers the 'basic' LFS transfer")
        ref = data.get("ref")
        if isinstance(ref, dict) and ref.get("name"):
            self._revision(repo, str(ref["name"]))
        objects = data.get("objects")
        if not isinstance(objects, list):
            raise _HubError(400, "'objects' must be a list")
        prefix = "" if repo.kind == "model" else "datasets/"
        verify = f"{self.url}/{prefix}{repo.repo_id}.git/info/lfs/objects/verify"
        out: list[dict[str, Any]] = []
        for obj in objects:
            obj = obj if isinstance(obj, dict) else {}
            oid, size = obj.get("oid"), obj.get("size")
            if not (isinstance(oid, str) and _SHA256.match(oid)) or not _is_size(size):
                out.append(
                    {
                        "oid": str(oid),
                        "size": size if _is_size(size) else 0,
                        "error": {"code": 422, "message": "Invalid oid or size"},
                    }
                )
                continue
            with self._lock:
                stored = self.lfs_objects.get(oid)
                if stored is not None and len(stored) == size:
                    out.append({"oid": oid, "size": size})  # no actions: already uploaded
                    continue
                ticket = secrets.token_hex(16)
                self._lfs_tickets[ticket] = (oid, size)
            upload = {"href": f"{self.url}/lfs-storage/{oid}?token={ticket}", "expires_in": 3600}
            out.append(
                {
                    "oid": oid,
                    "size": size,
                    "authenticated": True,
                    "actions": {"upload": upload, "verify": {"href": verify}},
                }
            )
        return _json_response(
            {"transfer": "basic", "objects": out}, headers={"Content-Type": _LFS_JSON}
        )

    def _lfs_store(self, oid: str, query: dict[str, list[str]], body: bytes) -> _Response:
        """The upload href: no Authorization (like a pre-signed URL), the batch's token instead."""
        token = query.get("token", [""])[0]
        with self._lock:
            ticket = self._lfs_tickets.get(token)
        if ticket is None or ticket[0] != oid:
            raise _HubError(403, "Invalid or expired upload URL")
        size = ticket[1]
        if len(body) != size:
            raise _HubError(400, f"Size mismatch: expected {size} bytes, got {len(body)}")
        if hashlib.sha256(body).hexdigest() != oid:
            raise _HubError(400, f"Content does not match sha256 {oid}")
        with self._lock:
            self.lfs_objects[oid] = bytes(body)
            self._lfs_tickets.pop(token, None)
        return _Response(
            200, b"", {"ETag": f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'}
        )

    def _lfs_verify(self, body: bytes) -> _Response:
        data = self._json_body(body)
        oid, size = data.get("oid"), data.get("size")
        with self._lock:
            stored = self.lfs_objects.get(oid) if isinstance(oid, str) else None
        if stored is None or len(stored) != size:
            raise _HubError(404, f"LFS object {oid} of size {size} not found")
        return _json_response({}, headers={"Content-Type": _LFS_JSON})

    def _tag(self, repo: FakeRepo, revision: str, body: bytes) -> _Response:
        name = self._json_body(body).get("tag")
        if not isinstance(name, str) or not name.strip():
            raise _HubError(400, "A tag name is required")
        with self._lock:
            sha, files = self._revision(repo, revision)
            if name in repo.git_tags:
                raise _HubError(409, f"Tag {name} already exists")
            repo.snapshots[sha] = files
            repo.git_tags[name] = sha
        return _json_response({})

    def _settings(self, repo: FakeRepo, body: bytes) -> _Response:
        """Visibility and gating, as the Hub's settings endpoint takes them."""
        data = self._json_body(body)
        visibility = data.get("visibility")
        if visibility is None and isinstance(data.get("private"), bool):
            visibility = "private" if data["private"] else "public"
        if visibility not in (None, "public", "private"):
            raise _HubError(400, f"Invalid visibility {visibility!r}")
        gated = data.get("gated", None)
        if gated not in (None, "auto", "manual", False):
            raise _HubError(400, f"Invalid gated value {gated!r}")
        if visibility is None and gated is None:
            raise _HubError(400, "Nothing to update")
        with self._lock:
            if visibility is not None:
                repo.private = visibility == "private"
            if gated is not None:
                repo.gated = gated is not False
        return _json_response({})

    def _refs(self, repo: FakeRepo) -> _Response:
        tags = [
            {"name": name, "ref": f"refs/tags/{name}", "targetCommit": sha}
            for name, sha in sorted(repo.git_tags.items())
        ]
        main = {"name": "main", "ref": "refs/heads/main", "targetCommit": repo.sha}
        return _json_response(
            {"branches": [main], "converts": [], "tags": tags, "pullRequests": []}
        )

    def _check_gate(self, repo: FakeRepo, user: str | None) -> None:
        if not repo.gated:
            return
        with self._lock:
            granted = user is not None and (user, repo.repo_id) in self._grants
        if granted or (user is not None and user == repo.author):
            return
        what = f"{repo.kind} {repo.repo_id}"
        if user is None:
            raise _HubError(
                401,
                f"Access to {what} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in.",
                "GatedRepo",
            )
        raise _HubError(
            403,
            f"Access to {what} is restricted and you are not in the authorized list. "
            f"Visit {self.url}/{repo.repo_id} to ask for access.",
            "GatedRepo",
        )

    def _resolve(
        self,
        method: str,
        kind: str,
        repo_id: str,
        revision: str,
        filename: str,
        headers: dict[str, str],
        user: str | None,
    ) -> _Response:
        repo = self._get_repo(kind, repo_id, user)
        sha, files = self._revision(repo, revision)
        self._check_gate(repo, user)
        if filename not in files:
            raise _HubError(
                404, f"Entry not found: {filename}", "EntryNotFound", {"X-Repo-Commit": sha}
            )
        info = _file_info(filename, files[filename], lfs=filename in repo.lfs_paths)
        basename = filename.rsplit("/", 1)[-1]
        out_headers = {
            "Content-Type": "application/octet-stream",
            "Accept-Ranges": "bytes",
            "ETag": f'"{info.etag}"',
            "X-Repo-Commit": sha,
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(basename)};",
        }
        if info.lfs:  # what the real Hub adds (on its redirect to the LFS storage)
            out_headers["X-Linked-Etag"] = f'"{info.sha256}"'
            out_headers["X-Linked-Size"] = str(info.size)
        content = info.content
        range_header = headers.get("range")
        if method == "GET" and range_header:
            parsed = _parse_range(range_header, len(content))
            if parsed is None:
                return _Response(
                    416, b"", {**out_headers, "Content-Range": f"bytes */{len(content)}"}
                )
            first, last = parsed
            out_headers["Content-Range"] = f"bytes {first}-{last}/{len(content)}"
            return _Response(206, content[first : last + 1], out_headers)
        return _Response(200, content, out_headers)


def _is_size(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _lfs_route(segs: list[str]) -> tuple[str, str, str] | None:
    """(kind, repo id, "batch" | "verify") of a ``[datasets/]{repo}.git/info/lfs/objects/*``
    path, else None."""
    if len(segs) < 5 or segs[-4:-1] != ["info", "lfs", "objects"]:
        return None
    if segs[-1] not in ("batch", "verify"):
        return None
    repo, kind = segs[:-4], "model"
    if len(repo) > 1 and repo[0] == "datasets":
        repo, kind = repo[1:], "dataset"
    if not 1 <= len(repo) <= 2 or not repo[-1].endswith(".git"):
        return None
    return kind, "/".join(repo).removesuffix(".git"), segs[-1]


def _matches_filter(repo: FakeRepo, tag: str) -> bool:
    """A ``filter`` value matches a tag, the pipeline tag, or ``language:<lang>`` a language
    (``list_datasets(language="en")`` sends ``filter=language:en``)."""
    if tag in repo.all_tags() or tag == repo.pipeline_tag:
        return True
    return tag.startswith("language:") and tag[len("language:") :] in repo.languages


_parse_range = parse_range
