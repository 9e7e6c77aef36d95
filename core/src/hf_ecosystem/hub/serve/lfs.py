"""git-LFS uploads (the basic transfer), for the files `datasets` uploads before its commit.

`Dataset.push_to_hub` writes each parquet shard to a temporary file, uploads it through
`preupload_lfs_files` and deletes it before the commit, so those files must be uploaded as LFS:
preupload answers `"lfs"` for `.parquet` and `.arrow` files and `"regular"` (inline in the
commit) for everything else. The client then asks the batch endpoint, PUTs the bytes to the
one-time URL it gets, and names the object in an `lfsFile` commit line. The client only speaks
plain LFS with `HF_HUB_DISABLE_XET=1`; without it, it asks for a Xet token and gets a 501 that
says so.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import threading
from pathlib import Path
from typing import Any, TypeGuard, cast

from hf_ecosystem.config import private_dir
from hf_ecosystem.hub.serve.http import HubHttpError, Response, as_object, json_body, json_response

LFS_UPLOAD_SUFFIXES = (".parquet", ".arrow")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LFS_JSON = {"Content-Type": "application/vnd.git-lfs+json"}
NO_XET = (
    "hf-tui hub serve has no Xet storage: set HF_HUB_DISABLE_XET=1 in the client's environment "
    "(before it imports huggingface_hub) and retry"
)


def upload_mode(path: str) -> str:
    """How the client must upload a file: `"lfs"` for data shards, `"regular"` otherwise."""
    return "lfs" if path.lower().endswith(LFS_UPLOAD_SUFFIXES) else "regular"


class LfsObjects:
    """Uploaded LFS objects waiting for their commit, in a private folder; one-time upload URLs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._tickets: dict[str, tuple[str, int]] = {}  # ticket -> (oid, size)
        self._lock = threading.Lock()

    def path(self, oid: str) -> Path:
        """Where an uploaded object is kept."""
        if not _SHA256.match(oid):
            raise HubHttpError(400, f"Invalid LFS object id {oid!r}")
        return self.folder / oid

    def batch(self, base: str, verify_url: str, body: bytes) -> Response:
        """`POST {repo}.git/info/lfs/objects/batch`: an upload URL per object not yet stored."""
        data = json_body(body)
        if data.get("operation") != "upload":
            raise HubHttpError(400, "Only LFS uploads are served here")
        transfers: object = data.get("transfers") or ["basic"]
        if not isinstance(transfers, list) or "basic" not in transfers:
            raise HubHttpError(422, "Only the 'basic' LFS transfer is offered")
        objects: object = data.get("objects")
        if not isinstance(objects, list):
            raise HubHttpError(400, "'objects' must be a list")
        out: list[dict[str, Any]] = []
        for obj in cast("list[object]", objects):
            oid, size = as_object(obj).get("oid"), as_object(obj).get("size")
            if not (isinstance(oid, str) and _SHA256.match(oid)) or not _is_size(size):
                error = {"code": 422, "message": "Invalid oid or size"}
                out.append({"oid": str(oid), "size": 0, "error": error})
                continue
            stored = self.folder / oid
            if stored.is_file() and stored.stat().st_size == size:
                out.append({"oid": oid, "size": size})  # no actions: already uploaded
                continue
            ticket = secrets.token_urlsafe(24)
            with self._lock:
                self._tickets[ticket] = (oid, size)
            upload = {"href": f"{base}/lfs-storage/{oid}?ticket={ticket}", "expires_in": 3600}
            actions = {"upload": upload, "verify": {"href": verify_url}}
            out.append({"oid": oid, "size": size, "authenticated": True, "actions": actions})
        return json_response({"transfer": "basic", "objects": out}, headers=_LFS_JSON)

    def store(self, oid: str, ticket: str, body: bytes) -> Response:
        """`PUT /lfs-storage/{oid}?ticket=…`: the bytes, checked against the batch's oid/size."""
        with self._lock:
            wanted = self._tickets.get(ticket)
        if wanted is None or wanted[0] != oid:
            raise HubHttpError(403, "Invalid or expired upload URL")
        if len(body) != wanted[1] or hashlib.sha256(body).hexdigest() != oid:
            raise HubHttpError(400, f"The content does not match sha256 {oid} of {wanted[1]} bytes")
        private_dir(self.folder)
        temp = self.folder / f"{oid}.{secrets.token_hex(4)}.part"
        temp.write_bytes(body)
        temp.replace(self.folder / oid)
        with self._lock:
            self._tickets.pop(ticket, None)
        return Response(200)

    def verify(self, body: bytes) -> Response:
        """`POST …/objects/verify`: 404 unless the object is stored with that size."""
        data = json_body(body)
        oid, size = data.get("oid"), data.get("size")
        stored = self.path(oid) if isinstance(oid, str) else None
        if stored is None or not stored.is_file() or stored.stat().st_size != size:
            raise HubHttpError(404, f"LFS object {oid} of size {size} not found")
        return json_response({}, headers=_LFS_JSON)

    def content(self, path: str, value: dict[str, Any]) -> bytes:
        """The bytes an `lfsFile` commit line names; 400 when they were never uploaded."""
        if value.get("algo", "sha256") != "sha256":
            raise HubHttpError(400, f"{path}: unsupported LFS hash {value.get('algo')}")
        stored = self.path(str(value.get("oid", "")))
        if not stored.is_file():
            raise HubHttpError(400, f"{path}: its LFS object was never uploaded")
        return stored.read_bytes()

    def clear(self) -> None:
        """Forget every object and ticket (the server is stopping)."""
        with self._lock:
            self._tickets.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def _is_size(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def lfs_route(segs: list[str]) -> tuple[str, str, str] | None:
    """(kind, repo id, "batch" | "verify") of `[datasets/]{repo}.git/info/lfs/objects/*`."""
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
