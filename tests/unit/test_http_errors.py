"""Hub and HTTP exceptions, built as huggingface_hub and httpx raise them, become hf_ecosystem
errors with a plain title and a hint; tokens never reach the message."""

from __future__ import annotations

import pytest
from huggingface_hub import errors as hf_errors
from huggingface_hub.utils import httpx

from hf_ecosystem.errors import (
    AuthError,
    GatedRepoError,
    HfEcoError,
    HubTimeoutError,
    InvalidRepoIdError,
    NetworkError,
    RepoNotFoundError,
    ServerError,
)
from hf_ecosystem.hub.http_errors import hub_errors, translate_hub_error

URL = "https://huggingface.co/api/models/org/name"
TOKEN = "hf_abcdefghijklmnopqrstuvwxyz123456"


def response(status: int, body: str = "") -> httpx.Response:
    """A real httpx response to a GET of URL."""
    return httpx.Response(status, text=body, request=httpx.Request("GET", URL))


def http_error(
    status: int, message: str = "", kind: type[hf_errors.HfHubHTTPError] = hf_errors.HfHubHTTPError
) -> hf_errors.HfHubHTTPError:
    """A huggingface_hub HTTP error carrying a response of `status`."""
    return kind(message, response=response(status))


def test_our_own_errors_pass_through_unchanged() -> None:
    """An HfEcoError is already user-facing: the very same object comes back."""
    error = AuthError("Token expired", "Log in again.")
    assert translate_hub_error(error, "org/name") is error


def test_gated_repo() -> None:
    """Gated comes before 'not found' (it is a subclass of it)."""
    error = translate_hub_error(http_error(403, "gated", hf_errors.GatedRepoError), "org/llama")
    assert type(error) is GatedRepoError
    assert error.title == "Gated repository org/llama"
    assert "Accept the repo's terms" in error.hint


def test_repository_not_found_names_the_repo_or_says_unknown() -> None:
    """The repo id when known, '(unknown)' when not."""
    exc = http_error(404, "404 Client Error", hf_errors.RepositoryNotFoundError)
    named = translate_hub_error(exc, "org/typo")
    assert type(named) is RepoNotFoundError
    assert named.title == "Repository not found: org/typo"
    assert translate_hub_error(exc).title == "Repository not found: (unknown)"


def test_revision_not_found() -> None:
    """A missing branch, tag or commit says which repo and what to check."""
    exc = http_error(404, "Invalid rev id: v9", hf_errors.RevisionNotFoundError)
    error = translate_hub_error(exc, "org/name")
    assert type(error) is RepoNotFoundError
    assert (error.title, error.hint) == (
        "Revision not found in org/name",
        "Check the branch, tag or commit.",
    )


def test_not_in_cache_while_offline() -> None:
    """LocalEntryNotFoundError (also an EntryNotFoundError) means: cache miss, no Hub."""
    exc = hf_errors.LocalEntryNotFoundError("Cannot find the requested files in the disk cache")
    error = translate_hub_error(exc, "org/name")
    assert type(error) is NetworkError
    assert error.title == "Not in the local cache and the Hub is unreachable: org/name"
    assert error.hint == "Connect to the network once to download it, or pick a cached repo."


@pytest.mark.parametrize(
    "exc",
    [
        hf_errors.RemoteEntryNotFoundError(
            "404: config.json", response=response(404, "Entry not found")
        ),
        hf_errors.EntryNotFoundError("config.json"),
    ],
    ids=["remote", "base"],
)
def test_missing_file_in_the_repo(exc: BaseException) -> None:
    """A file that is not in the repo is 'File not found', not a generic 404."""
    error = translate_hub_error(exc, "org/name")
    assert type(error) is RepoNotFoundError
    assert (error.title, error.hint) == (
        "File not found in org/name",
        "List the repo's files first.",
    )


def test_offline_mode() -> None:
    """HF_HUB_OFFLINE refusals say how to turn it off (before the ConnectionError rule)."""
    error = translate_hub_error(hf_errors.OfflineModeIsEnabled("Cannot reach: offline mode"))
    assert type(error) is NetworkError
    assert (error.title, error.hint) == (
        "Offline mode is on",
        "Unset HF_HUB_OFFLINE to reach the Hub.",
    )


def test_invalid_repo_id_keeps_the_first_line_of_the_reason() -> None:
    """The hint is huggingface_hub's first line, redacted."""
    exc = hf_errors.HFValidationError(
        f"Repo id must use alphanumeric chars: '{TOKEN}/x--y'.\nSee the docs for the rules."
    )
    error = translate_hub_error(exc, "bad--id")
    assert type(error) is InvalidRepoIdError
    assert error.title == "Invalid repo id: bad--id"
    assert error.hint == "Repo id must use alphanumeric chars: '***/x--y'."


@pytest.mark.parametrize(
    ("status", "kind", "title"),
    [
        (401, AuthError, "Not authorised (HTTP 401): org/name"),
        (403, AuthError, "Access denied (HTTP 403): org/name"),
        (404, RepoNotFoundError, "Not found (HTTP 404): org/name"),
        (429, NetworkError, "Rate limited by the Hub (HTTP 429)"),
        (500, ServerError, "The Hub had a server error (HTTP 500)"),
        (503, ServerError, "The Hub had a server error (HTTP 503)"),
    ],
)
def test_http_status_codes(status: int, kind: type[HfEcoError], title: str) -> None:
    """Each status the user can act on has its own error class and title."""
    error = translate_hub_error(http_error(status, f"{status} error"), "org/name")
    assert type(error) is kind
    assert error.title == title


def test_status_titles_without_a_repo_have_no_colon() -> None:
    """No repo id: the title ends at the status."""
    assert translate_hub_error(http_error(401)).title == "Not authorised (HTTP 401)"
    forbidden = translate_hub_error(http_error(403))
    assert forbidden.title == "Access denied (HTTP 403)"
    assert "lacks the permission" in forbidden.hint
    assert translate_hub_error(http_error(429)).hint == "Wait a minute, or log in."


def test_other_status_keeps_the_first_line_redacted() -> None:
    """A 400 or 409 shows the server's first line, with any token masked."""
    exc = http_error(400, f"Bad request: token={TOKEN} rejected\nrequest id: abc")
    error = translate_hub_error(exc, "org/name")
    assert type(error) is HfEcoError
    assert error.title == "Hub request failed (HTTP 400)"
    assert error.hint == "Bad request: token=*** rejected"
    assert TOKEN not in str(error)


def test_other_status_with_an_empty_message_has_no_hint() -> None:
    """An HTTP error with no text still gives a title, and an empty hint."""
    error = translate_hub_error(http_error(409, ""))
    assert (error.title, error.hint) == ("Hub request failed (HTTP 409)", "")
    assert str(error) == "Hub request failed (HTTP 409)"


def test_http_error_without_a_response_says_status_none() -> None:
    """An error whose response was dropped (None) is still translated, not crashed on."""
    exc = http_error(418, "teapot")
    exc.response = None  # type: ignore[assignment]
    error = translate_hub_error(exc)
    assert (error.title, error.hint) == ("Hub request failed (HTTP None)", "teapot")


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("timed out", request=httpx.Request("GET", URL)),
        httpx.ConnectTimeout("connect timed out"),
        TimeoutError("timed out"),
    ],
)
def test_timeouts(exc: BaseException) -> None:
    """httpx and builtin timeouts are one error with its own hint."""
    error = translate_hub_error(exc, "org/name")
    assert type(error) is HubTimeoutError
    assert error.title == "The Hub did not answer in time"
    assert "HFTUI_TIMEOUT" in error.hint


def test_connection_failures_say_why_without_secrets() -> None:
    """Transport errors keep their (redacted) text; an empty one shows its class name."""
    error = translate_hub_error(httpx.ConnectError(f"Failed to connect, Bearer {TOKEN}"))
    assert type(error) is NetworkError
    assert error.title == "Cannot reach the Hub: Failed to connect, Bearer ***"
    assert translate_hub_error(ConnectionRefusedError()).title == (
        "Cannot reach the Hub: ConnectionRefusedError"
    )


def test_anything_else_is_unexpected_and_truncated() -> None:
    """An unknown exception names its type; its text is redacted and cut to 300 characters."""
    error = translate_hub_error(ValueError(f"{TOKEN} " + "x" * 500))
    assert type(error) is HfEcoError
    assert error.title == "Unexpected error: ValueError"
    assert error.hint.startswith("*** xxx")
    assert len(error.hint) == 300


def test_hub_errors_translates_and_chains() -> None:
    """Inside `hub_errors`, a Hub error is re-raised as ours, the original as its cause."""
    original = http_error(404, "not here", hf_errors.RepositoryNotFoundError)
    with pytest.raises(RepoNotFoundError) as caught, hub_errors("org/name"):
        raise original
    assert caught.value.title == "Repository not found: org/name"
    assert caught.value.__cause__ is original


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (hf_errors.HFValidationError("bad id"), InvalidRepoIdError),
        (FileNotFoundError("gone"), HfEcoError),
        (httpx.ReadTimeout("slow"), HubTimeoutError),
        (httpx.RemoteProtocolError("peer closed"), NetworkError),
    ],
)
def test_hub_errors_catches_os_and_http_errors(exc: BaseException, kind: type[HfEcoError]) -> None:
    """Validation, OS and httpx errors are all translated."""
    with pytest.raises(kind), hub_errors():
        raise exc


def test_hub_errors_leaves_our_errors_and_bugs_alone() -> None:
    """Our own errors pass untouched; a programming error is not dressed up as a Hub error."""
    ours = AuthError("mine")
    with pytest.raises(AuthError) as caught, hub_errors("org/name"):
        raise ours
    assert caught.value is ours
    with pytest.raises(KeyError), hub_errors("org/name"):
        raise KeyError("bug")
