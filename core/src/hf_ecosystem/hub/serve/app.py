"""Routes each request of the served Hub API to its read or write handler, checking the token
for writes. Unknown routes answer 404 as the Hub does (`{"error": "Not Found"}`)."""

from __future__ import annotations

import hmac
import sys
import traceback
from typing import TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from hf_ecosystem.hub.serve import reads, writes
from hf_ecosystem.hub.serve.http import HubHttpError, Response, json_response
from hf_ecosystem.hub.serve.lfs import NO_XET, LfsObjects, lfs_route
from hf_ecosystem.hub.serve.store import RepoStore
from hf_ecosystem.hub.types import RepoKind

# Path segments that can follow a repo id in /api/{kind}s/… URLs (so `org/name` vs `name`).
_API_SUBPATHS = frozenset(
    {
        "revision",
        "tree",
        "resolve",
        "refs",
        "commits",
        "commit",
        "paths-info",
        "preupload",
        "tag",
        "xet-write-token",
    }
)
_WRITES = frozenset({"preupload", "commit", "tag"})


def _read_only() -> Response:
    return HubHttpError(403, "This repo is read-only here: it is in the HF cache").response()


class ServedHubApp:
    """The Hub API over a RepoStore; `token` authorises writes as `user`."""

    def __init__(
        self, store: RepoStore, lfs: LfsObjects, token: str, user: str, log: TextIO | None = None
    ) -> None:
        self.store = store
        self.lfs = lfs
        self.token = token
        self.user = user
        self.base_url = ""  # set by the server once its port is known
        self.log = log or sys.stderr

    def server_error(self, trace: str) -> None:
        """An exception outside a route (a client gone mid-answer): one line in the log."""
        last = trace.strip().splitlines()[-1] if trace.strip() else "unknown error"
        print(f"hub serve: {last}", file=self.log, flush=True)

    def process(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one request."""
        split = urlsplit(raw_path)
        try:
            return self._route(method, split.path, split.query, headers, body)
        except HubHttpError as err:
            return err.response()
        except OSError as exc:  # the disk said no: the client gets why, the server stays up
            return HubHttpError(500, f"hf-tui hub serve: {exc.strerror or exc}").response()
        except Exception:
            self.server_error(traceback.format_exc())
            return HubHttpError(500, "hf-tui hub serve: internal error (see its log)").response()

    def _authorised(self, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def _writer(self, headers: dict[str, str]) -> str:
        if not self._authorised(headers):
            raise HubHttpError(
                401, "Invalid credentials in Authorization header: writes need the token "
                "`hf-tui hub serve` printed"
            )  # fmt: skip
        return self.user

    def _route(
        self, method: str, path: str, query_text: str, headers: dict[str, str], body: bytes
    ) -> Response:
        segs = [unquote(s) for s in path.split("/")[1:]]
        if len(segs) > 1 and segs[-1] == "":
            segs = segs[:-1]
        query = parse_qs(query_text)
        if segs == ["api", "whoami-v2"] and method == "GET":
            return self._whoami(headers)
        if segs == ["api", "validate-yaml"] and method == "POST":
            return json_response({})
        if segs == ["api", "repos", "create"] and method == "POST":
            user = self._writer(headers)
            return writes.create_repo(self.store, self.base_url, user, body)
        if len(segs) == 2 and segs[0] == "lfs-storage" and method == "PUT":
            return self.lfs.store(segs[1], query.get("ticket", [""])[0], body)
        found = lfs_route(segs)
        if found is not None and method == "POST":
            self._writer(headers)
            kind_name, repo_id, action = found
            repo = self.store.get("dataset" if kind_name == "dataset" else "model", repo_id)
            if action == "verify":
                return self.lfs.verify(body)
            verify = f"{self.base_url}{path.removesuffix('batch')}verify"
            return self.lfs.batch(self.base_url, verify, body) if repo.writable else _read_only()
        if len(segs) >= 2 and segs[0] == "api" and segs[1] in ("models", "datasets"):
            kind: RepoKind = "model" if segs[1] == "models" else "dataset"
            return self._api(method, kind, segs[2:], query, query_text, headers, body, path)
        if method in ("GET", "HEAD") and "resolve" in segs[:4]:
            return self._resolve(method, segs, headers)
        raise HubHttpError(404, "Not Found")

    def _api(
        self,
        method: str,
        kind: RepoKind,
        rest: list[str],
        query: reads.Query,
        query_text: str,
        headers: dict[str, str],
        body: bytes,
        path: str,
    ) -> Response:
        if not rest:
            if method != "GET":
                raise HubHttpError(405, "Method not allowed")
            return reads.list_repos(self.store, kind, query, f"{self.base_url}{path}")
        if len(rest) >= 2 and rest[1] not in _API_SUBPATHS:
            repo_id, tail = f"{rest[0]}/{rest[1]}", rest[2:]
        else:
            repo_id, tail = rest[0], rest[1:]
        if method == "POST" and len(tail) == 2 and tail[0] in _WRITES:
            self._writer(headers)  # 401 before saying whether the repo exists
            repo = self.store.get(kind, repo_id)
            if tail[0] == "preupload":
                return writes.preupload(self.store, repo, tail[1], body)
            if tail[0] == "commit":
                return writes.commit(
                    self.store, self.lfs, self.base_url, repo, tail[1], body, query_text
                )
            return writes.tag(self.store, repo, tail[1], body)
        if len(tail) == 2 and tail[0] == "xet-write-token":
            raise HubHttpError(501, NO_XET)
        repo = self.store.get(kind, repo_id)
        if method == "POST" and len(tail) == 2 and tail[0] == "paths-info":
            return reads.paths_info(self.store, repo, tail[1], body)
        if method != "GET":
            raise HubHttpError(405, "Method not allowed")
        if tail == ["refs"]:
            return reads.refs(self.store, repo)
        if not tail or (tail[0] == "revision" and len(tail) == 2):
            return reads.repo_info(self.store, repo, tail[1] if tail else "main", query)
        if tail[0] == "tree" and len(tail) >= 2:
            sub = "/".join(tail[2:])
            return reads.tree(self.store, repo, tail[1], sub, query, f"{self.base_url}{path}")
        raise HubHttpError(404, "Not Found")

    def _resolve(self, method: str, segs: list[str], headers: dict[str, str]) -> Response:
        kind: RepoKind = "model"
        rest = segs
        if rest and rest[0] == "datasets":
            kind, rest = "dataset", rest[1:]
        if len(rest) >= 5 and rest[2] == "resolve":
            repo_id, tail = f"{rest[0]}/{rest[1]}", rest[3:]
        elif len(rest) >= 4 and rest[1] == "resolve":
            repo_id, tail = rest[0], rest[2:]
        else:
            raise HubHttpError(404, "Not Found")
        repo = self.store.get(kind, repo_id)
        filename = "/".join(tail[1:])
        return reads.resolve(self.store, repo, tail[0], filename, method, headers.get("range", ""))

    def _whoami(self, headers: dict[str, str]) -> Response:
        if not self._authorised(headers):
            raise HubHttpError(401, "Invalid credentials in Authorization header")
        token = {"displayName": "hf-tui hub serve", "role": "write"}
        return json_response(
            {
                "type": "user",
                "name": self.user,
                "fullname": self.user,
                "orgs": [],
                "auth": {"type": "access_token", "accessToken": token},
            }
        )
