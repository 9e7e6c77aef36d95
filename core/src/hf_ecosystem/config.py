"""Settings: HFTUI_* variables, the HF_* ones huggingface_hub honours, and a TOML file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from hf_ecosystem.errors import ConfigError

DEFAULT_ENDPOINT = "https://huggingface.co"


def default_home() -> Path:
    """Our state folder: $HFTUI_HOME, else $XDG_DATA_HOME/hf-tui, else ~/.local/share/hf-tui."""
    if env := os.environ.get("HFTUI_HOME"):
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser() / "hf-tui"


def default_hf_home() -> Path:
    """HF_HOME as huggingface_hub resolves it."""
    if env := os.environ.get("HF_HOME"):
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "huggingface"


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads `$HFTUI_HOME/config.toml` (or $HFTUI_CONFIG) when it exists."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ returns the whole mapping at once

    def __call__(self) -> dict[str, Any]:
        import tomllib

        path = config_path()
        if not path.is_file():
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read config file {path}", str(exc)) from exc
        known = set(self.settings_cls.model_fields)
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
        return Path(env).expanduser()
    return default_home() / "config.toml"


class Settings(BaseSettings):
    """Every setting of hf-tui; environment first, then the config file, then defaults."""

    model_config = SettingsConfigDict(env_prefix="HFTUI_", extra="ignore", populate_by_name=True)

    home: Path = Field(default_factory=default_home, description="State folder (jobs, index).")
    hf_home: Path = Field(
        default_factory=default_hf_home,
        description="Hugging Face home (token, cache), as huggingface_hub uses it.",
    )
    hub_cache: Path | None = Field(
        default=None,
        description="Model cache folder; defaults to $HF_HOME/hub.",
    )
    endpoint: str = Field(
        default=DEFAULT_ENDPOINT,
        description="Hub endpoint URL.",
    )
    offline: bool = Field(
        default=False,
        description="Never contact the Hub; use the local hub.",
    )
    local_hub: str = Field(
        default="",
        description="Extra local hub roots (os.pathsep-separated); $HFTUI_HOME/hub is always one.",
    )
    timeout: float = Field(default=10.0, gt=0, description="Hub request timeout in seconds.")
    page_size: int = Field(default=50, ge=1, le=1000, description="Search results per page.")

    @field_validator("offline", mode="before")
    @classmethod
    def _parse_offline(cls, value: Any) -> bool:
        return _truthy(value)

    @field_validator("endpoint")
    @classmethod
    def _strip_endpoint(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlFileSource(settings_cls))

    @property
    def cache_dir(self) -> Path:
        """The huggingface_hub model cache."""
        return self.hub_cache or self.hf_home / "hub"

    @property
    def local_hub_roots(self) -> list[Path]:
        """Local hub roots: $HFTUI_HOME/hub first, then HFTUI_LOCAL_HUB entries."""
        roots = [self.home / "hub"]
        roots += [Path(p).expanduser() for p in self.local_hub.split(os.pathsep) if p.strip()]
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
    """Read settings now (environment and config file); a bad value becomes a ConfigError."""
    values = {
        field: os.environ[var]
        for field, var in _HF_VARIABLES.items()
        if os.environ.get(var) and field not in overrides
    }
    try:
        return Settings(**values, **overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "settings"
        field = _HF_VARIABLES.get(field, field)
        raise ConfigError(f"Invalid setting {field!r}: {err['msg']}") from exc
