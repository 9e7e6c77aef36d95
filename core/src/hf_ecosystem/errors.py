"""One exception hierarchy: every error a user can cause carries a short title and a fix hint."""

from __future__ import annotations


class HfEcoError(Exception):
    """Base error of hf_ecosystem: a one-line title and a hint on how to fix it."""

    default_title: str = "Something went wrong"
    default_hint: str = ""

    def __init__(self, title: str | None = None, hint: str | None = None) -> None:
        self.title: str = title or self.default_title
        self.hint: str = hint if hint is not None else self.default_hint
        super().__init__(self.title)

    def __str__(self) -> str:
        return f"{self.title} — {self.hint}" if self.hint else self.title

    def to_dict(self) -> dict[str, str]:
        """Plain data for JSON output and job events."""
        return {"error": type(self).__name__, "title": self.title, "hint": self.hint}


class ConfigError(HfEcoError):
    """A setting or a config file is invalid."""

    default_title = "Invalid configuration"
    default_hint = "Check the HFTUI_* environment variables and the config file."


class InvalidRepoIdError(HfEcoError):
    """A repo id is not of the form `name` or `org/name`."""

    default_title = "Invalid repo id"
    default_hint = (
        "Use `org/name` with letters, digits, '-', '_' and '.' "
        "(e.g. `google-bert/bert-base-uncased`)."
    )


class RepoNotFoundError(HfEcoError):
    """The repo (or revision, or file) does not exist, or is private and invisible to this token."""

    default_title = "Repository not found"
    default_hint = "Check the spelling; private repos need `hf-tui auth login`."


class AuthError(HfEcoError):
    """Authentication failed or is missing (HTTP 401/403, gated repo, bad token)."""

    default_title = "Authentication required"
    default_hint = "Log in with `hf-tui auth login` or set HF_TOKEN."


class GatedRepoError(AuthError):
    """The repo is gated: its terms must be accepted on the Hub first."""

    default_title = "Gated repository"
    default_hint = (
        "Accept the repo's terms on its Hub page, then log in with a token that has access."
    )


class NetworkError(HfEcoError):
    """The Hub could not be reached."""

    default_title = "Network error"
    default_hint = "Check the connection or HF_ENDPOINT, or work offline with --offline."


class HubTimeoutError(NetworkError):
    """The Hub did not answer in time."""

    default_title = "The Hub did not answer in time"
    default_hint = "Retry, raise HFTUI_TIMEOUT, or work offline with --offline."


class ServerError(NetworkError):
    """The Hub answered with a server error (HTTP 5xx)."""

    default_title = "The Hub had a server error"
    default_hint = "Retry in a moment; the problem is on the server side."


class CardError(HfEcoError):
    """A model or dataset card could not be parsed; the raw text stays available."""

    default_title = "Malformed card"
    default_hint = "Fix the YAML front matter between the two `---` lines."

    def __init__(
        self,
        problem: str,
        *,
        line: int | None = None,
        raw: str = "",
        hint: str | None = None,
    ) -> None:
        self.problem: str = problem
        self.line: int | None = line
        self.raw: str = raw
        where = f" (line {line})" if line is not None else ""
        super().__init__(f"Malformed card: {problem}{where}", hint)

    def to_dict(self) -> dict[str, str]:
        data = super().to_dict()
        data["problem"] = self.problem
        if self.line is not None:
            data["line"] = str(self.line)
        return data


class CacheError(HfEcoError):
    """A cache operation failed (unknown repo or revision in the cache)."""

    default_title = "Cache error"
    default_hint = "List what is cached with `hf-tui cache ls`."
