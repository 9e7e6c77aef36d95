"""Turn huggingface_hub and HTTP exceptions into hf_ecosystem errors with a title and a hint."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import cast

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
from hf_ecosystem.redact import redact


def translate_hub_error(exc: BaseException, repo_id: str | None = None) -> HfEcoError:
    """The hf_ecosystem error a user should see for `exc`."""
    what = f" {repo_id}" if repo_id else ""
    if isinstance(exc, HfEcoError):
        return exc
    if isinstance(exc, hf_errors.GatedRepoError):
        return GatedRepoError(f"Gated repository{what}")
    if isinstance(exc, hf_errors.RepositoryNotFoundError):
        return RepoNotFoundError(f"Repository not found:{what or ' (unknown)'}")
    if isinstance(exc, hf_errors.RevisionNotFoundError):
        return RepoNotFoundError(f"Revision not found in{what}", "Check the branch, tag or commit.")
    if isinstance(exc, hf_errors.LocalEntryNotFoundError):
        return NetworkError(
            f"Not in the local cache and the Hub is unreachable:{what}",
            "Connect to the network once to download it, or pick a cached repo.",
        )
    if isinstance(exc, hf_errors.EntryNotFoundError | hf_errors.RemoteEntryNotFoundError):
        return RepoNotFoundError(f"File not found in{what}", "List the repo's files first.")
    if isinstance(exc, hf_errors.OfflineModeIsEnabled):
        return NetworkError("Offline mode is on", "Unset HF_HUB_OFFLINE to reach the Hub.")
    if isinstance(exc, hf_errors.HFValidationError):
        return InvalidRepoIdError(f"Invalid repo id:{what}", redact(str(exc)).splitlines()[0])
    if isinstance(exc, hf_errors.HfHubHTTPError):
        return _from_status(exc, what)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return HubTimeoutError()
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return NetworkError(f"Cannot reach the Hub: {redact(str(exc)) or type(exc).__name__}")
    return HfEcoError(f"Unexpected error: {type(exc).__name__}", redact(str(exc))[:300])


def _from_status(exc: hf_errors.HfHubHTTPError, what: str) -> HfEcoError:
    # Typed as always present, but an error raised without a response carries None.
    response = cast("httpx.Response | None", exc.response)
    status = response.status_code if response is not None else None
    if status == 401:
        return AuthError(f"Not authorised (HTTP 401){what and ':' + what}")
    if status == 403:
        return AuthError(
            f"Access denied (HTTP 403){what and ':' + what}",
            "Your token lacks the permission; check its role, or the repo's access settings.",
        )
    if status == 404:
        return RepoNotFoundError(f"Not found (HTTP 404){what and ':' + what}")
    if status == 429:
        return NetworkError("Rate limited by the Hub (HTTP 429)", "Wait a minute, or log in.")
    if status is not None and status >= 500:
        return ServerError(f"The Hub had a server error (HTTP {status})")
    first = redact(str(exc)).splitlines()[0] if str(exc) else ""
    return HfEcoError(f"Hub request failed (HTTP {status})", first)


@contextmanager
def hub_errors(repo_id: str | None = None) -> Generator[None]:
    """Re-raise any Hub or network exception from the block as an hf_ecosystem error."""
    try:
        yield
    except HfEcoError:
        raise
    except (hf_errors.HfHubHTTPError, hf_errors.HFValidationError, OSError, httpx.HTTPError) as exc:
        raise translate_hub_error(exc, repo_id) from exc
