"""What a publish would upload (files, sizes, skipped leftovers, refused secrets) and what it did.

Plain stdlib: the CLI plans (and refuses) before any job starts.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.paths import user_path
from hf_ecosystem.safe_files import file_problem

# File names that hold secrets, never a model's (matched case-insensitively on the base name).
SECRET_NAME_PATTERNS = (
    ".env",
    "*.env",
    ".env.*",
    "*token*",
    "*secret*",
    "credentials*",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    ".git-credentials",
    ".pypirc",
    "*.pem",
    "*.key",
    ".envrc",
    ".npmrc",
    ".dockercfg",
    "kaggle.json",
    "service-account*.json",
    "*-credentials.json",
)
# Tokenizer files contain "token" in their names and are part of a model.
_TOKENIZER_NAMES = ("tokenizer*", "special_tokens_map.json", "added_tokens.json")
# What a real Hub token looks like (the redaction patterns in hf_ecosystem.redact are wider on
# purpose, e.g. they mask `hf_hub_download`; a refusal must not fire on code that mentions it).
TOKEN_IN_TEXT = re.compile(rb"(?<![A-Za-z0-9_])(?:hf_|api_org_)[A-Za-z0-9]{30,}")
# Training leftovers: folders (matched on each path part) and files (on the base name).
SKIP_DIRS = (
    ("checkpoint-*", "training checkpoint"),
    ("runs", "TensorBoard logs"),
    ("__pycache__", "Python cache"),
)
SKIP_FILES = (
    ("optimizer.pt", "optimizer state"),
    ("optimizer.bin", "optimizer state"),
    ("scheduler.pt", "scheduler state"),
    ("scaler.pt", "gradient scaler state"),
    ("rng_state*.pth", "random number generator state"),
    ("trainer_state.json", "trainer state"),
    ("training_args.bin", "training arguments (a pickle)"),
    ("events.out.tfevents.*", "TensorBoard logs"),
)
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".onnx", ".h5", ".msgpack")
_SNIFF = 8192
_CHUNK = 1 << 20
_BINARY_SCAN_LIMIT = 64 * 1024 * 1024  # binary files up to this size are searched for tokens too
# detect-secrets reads text files up to this size (~0.1 s per 40 KB); vocabularies, which run to
# hundreds of KB of words and took seconds each, are left to the Hub-token search.
_SCANNER_LIMIT = 256 * 1024
_VOCABULARIES = ("vocab.txt", "vocab.json", "merges.txt", "tokenizer.json", "*.vocab")
# Weights and data: large, binary, and the high-entropy bytes a scanner would misread.
_NOT_SCANNED = (
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".onnx",
    ".gguf",
    ".h5",
    ".msgpack",
    ".npz",
    ".npy",
    ".parquet",
    ".arrow",
    ".tflite",
    ".model",
)
# detect-secrets plugins left out: entropy alone flags hashes and vocabularies in every model
# folder, and an IP address is not a secret.
_NOISY_PLUGINS = ("HexHighEntropyString", "Base64HighEntropyString", "IPPublicDetector")


class PublishError(HfEcoError):
    """A publish cannot go ahead (bad source folder, tag taken, nothing to upload)."""

    default_title = "Cannot publish"
    default_hint = "Check the model folder and the repo id."


class SecretFileError(PublishError):
    """The folder holds files that look like secrets; nothing was uploaded."""

    default_title = "Refusing to publish secrets"
    default_hint = (
        "Move or delete those files (revoke any real token at "
        "https://huggingface.co/settings/tokens), then publish again."
    )

    def __init__(self, findings: list[tuple[str, str]]) -> None:
        self.findings = findings
        names = ", ".join(path for path, _ in findings[:5])
        more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
        super().__init__(f"Refusing to publish secrets: {names}{more}")

    def to_dict(self) -> dict[str, str]:
        data = super().to_dict()
        data["files"] = "; ".join(f"{path} ({why})" for path, why in self.findings)
        return data


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file to upload: its path in the repo and its size."""

    path: str
    size: int


@dataclass(frozen=True, slots=True)
class SkippedPath:
    """A file or folder left out on purpose, with the reason."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class PublishPlan:
    """The upload of one model folder, decided before anything leaves the machine."""

    source: Path
    files: tuple[PlannedFile, ...]
    skipped: tuple[SkippedPath, ...] = ()
    card: Path | None = None  # an edited README.md that replaces the generated card
    warnings: tuple[str, ...] = field(default=())

    @property
    def total_bytes(self) -> int:
        """Bytes to upload (the card not counted)."""
        return sum(f.size for f in self.files)

    @property
    def has_readme(self) -> bool:
        """The folder has its own README.md."""
        return any(f.path == "README.md" for f in self.files)

    @property
    def allow_patterns(self) -> list[str]:
        """Exactly the planned files, and the card."""
        return sorted({f.path for f in self.files} | {"README.md"})

    @property
    def ignore_patterns(self) -> list[str]:
        """Training leftovers and secret names as upload_folder patterns (a second fence)."""
        dirs = [f"{pattern}/*" for pattern, _ in SKIP_DIRS] + [".*/*"]
        names = [p for p in SECRET_NAME_PATTERNS if p != "*token*"]  # tokenizer files are fine
        return dirs + [pattern for pattern, _ in SKIP_FILES] + names

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "source": str(self.source),
            "files": [{"path": f.path, "size": f.size} for f in self.files],
            "total_bytes": self.total_bytes,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "card": str(self.card) if self.card else None,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class PublishResult:
    """Where a model went and what it holds."""

    repo_id: str
    local: bool
    location: str  # the repo URL, or the local folder
    files: tuple[str, ...]
    total_bytes: int
    commit: str | None = None  # the Hub commit, or the local revision name
    tags: tuple[str, ...] = ()  # Hub tags, or local revisions (oldest first)
    private: bool | None = None
    visibility_changed: bool = False  # an existing Hub repo was made private or public

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        data: dict[str, Any] = {
            "repo_id": self.repo_id,
            "local": self.local,
            "files": list(self.files),
            "total_bytes": self.total_bytes,
            "commit": self.commit,
        }
        if self.local:
            data.update(path=self.location, revisions=list(self.tags))
        else:
            data.update(url=self.location, tags=list(self.tags), private=self.private)
            if self.visibility_changed:  # only then: older stored results read back unchanged
                data["visibility_changed"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PublishResult:
        """Read back what `to_dict` wrote (missing fields take their defaults)."""
        local = data.get("local") is True
        where = data.get("path" if local else "url")
        versions = data.get("revisions" if local else "tags")
        files = data.get("files")
        size = data.get("total_bytes")
        commit = data.get("commit")
        private = data.get("private")
        return cls(
            repo_id=str(data.get("repo_id", "")),
            local=local,
            location=where if isinstance(where, str) else "",
            files=_names(files),
            total_bytes=size if isinstance(size, int) else 0,
            commit=commit if isinstance(commit, str) else None,
            tags=_names(versions),
            private=private if isinstance(private, bool) else None,
            visibility_changed=data.get("visibility_changed") is True,
        )


def _names(value: object) -> tuple[str, ...]:
    """A stored list of names (anything else reads as none)."""
    items: list[object] = list(value) if isinstance(value, list) else []  # pyright: ignore[reportUnknownArgumentType]
    return tuple(str(item) for item in items)


def _match(name: str, patterns: tuple[str, ...] | list[str]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in patterns)


def secret_name_reason(name: str) -> str | None:
    """Why a file name looks like a secret (None when it does not)."""
    if not _match(name, SECRET_NAME_PATTERNS):
        return None
    if _match(name, _TOKENIZER_NAMES) and not _match(name, (".env", "*.env", ".env.*")):
        return None
    return "its name looks like a secret file"


def secret_kind(path: Path) -> str | None:
    """What kind of secret a file holds (a Hub token, an AWS key, a private key, an npm token…),
    or None. Never the secret itself. Hub tokens are looked for in binary files too."""
    if contains_token(path):
        return "a Hugging Face token"
    if path.name.lower().endswith(_NOT_SCANNED) or _match(path.name, _VOCABULARIES):
        return None
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if size > _SCANNER_LIMIT:
        return None
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings, get_settings

    found = SecretsCollection()
    with default_settings():
        get_settings().disable_plugins(*_NOISY_PLUGINS)
        found.scan_file(str(path))
    kinds = sorted({str(secret.type) for _, secret in found})  # pyright: ignore[reportUnknownVariableType]
    return ", ".join(kinds) or None


def contains_token(path: Path) -> bool:
    """True when a file holds something shaped like a Hub token (binary files up to 64 MiB too:
    a NUL byte does not hide one)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF)
            if b"\0" in head and path.stat().st_size > _BINARY_SCAN_LIMIT:
                return False
            tail = b""
            chunk = head
            while chunk:
                if TOKEN_IN_TEXT.search(tail + chunk):
                    return True
                tail = chunk[-64:]
                chunk = handle.read(_CHUNK)
    except OSError:
        return False
    return False


def _skip_reason(parts: tuple[str, ...]) -> str | None:
    for part in parts[:-1]:
        if part.startswith("."):
            return "hidden folder"
        for pattern, reason in SKIP_DIRS:
            if fnmatch.fnmatchcase(part, pattern):
                return reason
    for pattern, reason in SKIP_FILES:
        if fnmatch.fnmatchcase(parts[-1], pattern):
            return reason
    return None


def plan_publish(source: Path | str, *, card: Path | str | None = None) -> PublishPlan:
    """Plan the upload of a model folder; SecretFileError when it holds secrets."""
    root = user_path(source)
    if not root.is_dir():
        raise PublishError(f"Not a folder: {root}", "Publish a model folder (a run's output).")
    files: list[PlannedFile] = []
    skipped: list[SkippedPath] = []
    secrets: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        keep: list[str] = []
        for name in sorted(dirnames):
            reason = _skip_reason((*rel_dir.parts, name, ""))
            if reason:
                skipped.append(SkippedPath((rel_dir / name).as_posix() + "/", reason))
            else:
                keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            rel = (rel_dir / name).as_posix()
            full = Path(dirpath) / name
            reason = _skip_reason((*rel_dir.parts, name)) or file_problem(full, root=root)
            if reason:  # special files and links out of the folder are never read or copied
                skipped.append(SkippedPath(rel, reason))
                continue
            secret = secret_name_reason(name)
            if secret is None and (kind := secret_kind(full)):
                secret = f"it contains a secret ({kind})"
            if secret:
                secrets.append((rel, secret))
                continue
            try:
                files.append(PlannedFile(rel, full.stat().st_size))
            except OSError:
                skipped.append(SkippedPath(rel, "unreadable (a broken link?)"))
    card_path = user_path(card) if card else None
    if card_path is not None:
        if not card_path.is_file():
            raise PublishError(f"Card file not found: {card_path}", "Give an edited README.md.")
        if problem := file_problem(card_path):
            raise PublishError(f"Card file refused: {card_path} is {problem}")
        if contains_token(card_path):
            secrets.append((str(card_path), "it contains something that looks like a token"))
    if secrets:
        raise SecretFileError(secrets)
    if not files:
        raise PublishError(f"Nothing to publish in {root}", "The folder has no model files.")
    warnings: list[str] = []
    if not any(f.path.endswith(WEIGHT_SUFFIXES) for f in files):
        warnings.append("No weights file (*.safetensors, *.bin, …) in the folder.")
    if any(f.path.endswith((".bin", ".pt", ".pth")) for f in files):
        warnings.append("Pickle weights (.bin/.pt) are published; safetensors load safely.")
    return PublishPlan(
        root.resolve(), tuple(files), tuple(skipped), card_path, warnings=tuple(warnings)
    )
