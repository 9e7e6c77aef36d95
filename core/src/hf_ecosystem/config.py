"""Settings: HFTUI_* variables, the HF_* ones huggingface_hub honours, and a TOML file."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.errors import ConfigError
from hf_ecosystem.paths import user_path

DEFAULT_ENDPOINT = "https://huggingface.co"


def default_home() -> Path:
    """Our state folder: $HFTUI_HOME, else $XDG_DATA_HOME/hf-tui, else ~/.local/share/hf-tui."""
    if env := os.environ.get("HFTUI_HOME"):
        return user_path(env)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return user_path(xdg) / "hf-tui"


def default_hf_home() -> Path:
    """HF_HOME as huggingface_hub resolves it."""
    if env := os.environ.get("HF_HOME"):
        return user_path(env)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return user_path(xdg) / "huggingface"


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _read_config_file(known: set[str]) -> dict[str, Any]:
    """The TOML config file's settings ({} when there is none); unknown keys are refused."""
    import tomllib

    path = config_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read config file {path}", str(exc)) from exc
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"Unknown setting {unknown[0]!r} in {path}",
            f"Known settings: {', '.join(sorted(known))}.",
        )
    return data


def config_path() -> Path:
    """Where the optional TOML config file lives."""
    if env := os.environ.get("HFTUI_CONFIG"):
        return user_path(env)
    return default_home() / "config.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of hf-tui; `load_settings` reads and checks them (plain stdlib: fast start)."""

    home: Path = field(default_factory=default_home)
    """State folder (jobs, local hub index)."""
    hf_home: Path = field(default_factory=default_hf_home)
    """Hugging Face home (token, cache), as huggingface_hub uses it."""
    hub_cache: Path | None = None
    """Model cache folder; defaults to $HF_HOME/hub."""
    endpoint: str = DEFAULT_ENDPOINT
    """Hub endpoint URL."""
    offline: bool = False
    """Never contact the Hub; use the local hub."""
    local_hub: str = ""
    """Extra local hub roots (os.pathsep-separated); $HFTUI_HOME/hub is always one."""
    timeout: float = 10.0
    """Hub request timeout in seconds."""
    page_size: int = 50
    """Search results per page (1-1000)."""
    warm_models: int = 2
    """Models a warm model worker keeps loaded for Try (0: no warm worker, every Try is a job)."""
    warm_gib: float = 8.0
    """Memory the warm worker's models may take in all, in GiB (weights as stored)."""
    warm_idle: float = 600.0
    """Seconds without a request after which the warm worker exits by itself."""
    share_gpus: bool = False
    """Let a job start on a GPU another job runs on when both fit in its memory (off: one each)."""

    @property
    def cache_dir(self) -> Path:
        """The huggingface_hub model cache."""
        return self.hub_cache or self.hf_home / "hub"

    @property
    def local_hub_roots(self) -> list[Path]:
        """Local hub roots: $HFTUI_HOME/hub first, then HFTUI_LOCAL_HUB entries."""
        roots = [self.home / "hub"]
        roots += [user_path(p) for p in self.local_hub.split(os.pathsep) if p.strip()]
        seen: list[Path] = []
        for root in roots:
            if root not in seen:
                seen.append(root)
        return seen

    @property
    def index_path(self) -> Path:
        """The SQLite index of the local hub."""
        return self.home / "localhub.sqlite"


# huggingface_hub's variables beat HFTUI_* and the file; explicit overrides beat them.
_HF_VARIABLES = {
    "hf_home": "HF_HOME",
    "hub_cache": "HF_HUB_CACHE",
    "endpoint": "HF_ENDPOINT",
    "offline": "HF_HUB_OFFLINE",
}


def load_settings(**overrides: Any) -> Settings:
    """Settings from, by priority: `overrides`, HF_* variables, HFTUI_* variables, the file."""
    fields = {f.name for f in dataclasses.fields(Settings)}
    values = _read_config_file(fields | _TABLES)
    for table in _TABLES:
        values.pop(table, None)
    values.update(
        {
            f: os.environ[f"HFTUI_{f.upper()}"]
            for f in fields
            if os.environ.get(f"HFTUI_{f.upper()}")
        }
    )
    values.update({f: os.environ[v] for f, v in _HF_VARIABLES.items() if os.environ.get(v)})
    values.update(overrides)
    checked: dict[str, Any] = {}
    for name, value in values.items():
        try:
            checked[name] = _CHECKS[name](value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"Invalid setting {_HF_VARIABLES.get(name, name)!r}: {exc}") from exc
    return Settings(**checked)


_TABLES = {"slurm"}  # [tables] of config.toml that their own modules read (config_table)


def config_table(name: str) -> dict[str, Any]:
    """A `[name]` table of config.toml ({} when absent), e.g. `[slurm]`'s defaults."""
    table = _read_config_file({f.name for f in dataclasses.fields(Settings)} | _TABLES).get(name)
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"[{name}] in {config_path()} must be a table", f"e.g. [{name}] …")
    return cast("dict[str, Any]", table)


def _path(value: Any) -> Path:
    return user_path(str(value))


def _optional_path(value: Any) -> Path | None:
    return None if value in (None, "") else _path(value)


def _endpoint(value: Any) -> str:
    text = str(value).strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return text


def _bounded(kind: type[float] | type[int], low: float, high: float) -> Any:
    def check(value: Any) -> float | int:
        number = kind(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low:g} and {high:g}, not {number:g}")
        return number

    return check


_CHECKS: dict[str, Any] = {
    "home": _path,
    "hf_home": _path,
    "hub_cache": _optional_path,
    "endpoint": _endpoint,
    "offline": _truthy,
    "local_hub": str,
    "timeout": _bounded(float, 0.001, 3600),
    "page_size": _bounded(int, 1, 1000),
    "warm_models": _bounded(int, 0, 64),
    "warm_gib": _bounded(float, 0.0001, 4096),
    "warm_idle": _bounded(float, 0.5, 7 * 24 * 3600),
    "share_gpus": _truthy,
}


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by its owner only (0700); an existing folder of ours
    with wider permissions is tightened. Job specs, logs and results live under these."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_file(path, mode=0o700)
    return path


def private_file(path: Path, *, mode: int = 0o600) -> None:
    """Make an existing file or folder of ours owner-only (a missing one is left alone)."""
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and info.st_mode & 0o077:
            path.chmod(mode)
    except OSError:
        pass  # not ours, or gone: nothing to tighten
