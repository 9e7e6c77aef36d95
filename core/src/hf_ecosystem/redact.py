"""The one redaction helper, used wherever text leaves the program (logs, CLI, screen, jobs)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

# Hub user tokens (hf_...), org tokens (api_org_...), OAuth tokens and bearer headers.
_TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bhf_[A-Za-z0-9_]{8,}"),
    re.compile(r"\bapi_org_[A-Za-z0-9_]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{8,}"),
    re.compile(r"(?i)((?:hf_token|hugging_face_hub_token|token)\s*[=:]\s*['\"]?)[^\s'\",]{8,}"),
)
MASK = "***"

_known_secrets: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Remember a secret value so that `redact` masks it even when it has no known shape."""
    if secret and len(secret) >= 4:
        _known_secrets.add(secret)


def _env_secrets() -> Iterable[str]:
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        value = os.environ.get(name)
        if value and len(value) >= 4:
            yield value


def redact(text: str) -> str:
    """Return `text` with every token-shaped string and every known secret replaced by `***`."""
    for secret in sorted({*_known_secrets, *_env_secrets()}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern in _TOKEN_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        else:
            text = pattern.sub(MASK, text)
    return text


class Secret:
    """A string that never shows itself in a repr, str or format."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        """The secret value, for the one call that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
