"""Settings: env vars (HFTUI_* and HF_*), the TOML file, and clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hf_ecosystem.config import config_path, load_settings
from hf_ecosystem.errors import ConfigError


def test_defaults_follow_the_environment(isolated_env: Path) -> None:
    settings = load_settings()
    assert settings.home == isolated_env / "hftui_home"
    assert settings.cache_dir == isolated_env / "hf_home" / "hub"
    assert settings.local_hub_roots[0] == settings.home / "hub"
    assert settings.index_path.parent == settings.home
    assert settings.offline is False


def test_hf_variables_are_honoured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9/")
    monkeypatch.setenv(
        "HFTUI_LOCAL_HUB", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
    )
    monkeypatch.setenv("HFTUI_TIMEOUT", "2.5")
    settings = load_settings()
    assert settings.offline is True
    assert settings.endpoint == "http://127.0.0.1:9"
    assert settings.local_hub_roots[1:] == [tmp_path / "a", tmp_path / "b"]
    assert settings.timeout == 2.5


def test_config_file_is_read(isolated_env: Path) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("timeout = 4.0\npage_size = 25\n", encoding="utf-8")
    settings = load_settings()
    assert (settings.timeout, settings.page_size) == (4.0, 25)


def test_env_beats_config_file(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_path().write_text("timeout = 4.0\n", encoding="utf-8")
    monkeypatch.setenv("HFTUI_TIMEOUT", "7")
    assert load_settings().timeout == 7.0


@pytest.mark.parametrize(
    ("content", "message"),
    [("timeout = [", "Cannot read config file"), ("colour = 'red'\n", "Unknown setting 'colour'")],
)
def test_bad_config_file(isolated_env: Path, content: str, message: str) -> None:
    config_path().write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_bad_value_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HFTUI_TIMEOUT", "-1")
    with pytest.raises(ConfigError, match="timeout"):
        load_settings()
    monkeypatch.setenv("HFTUI_TIMEOUT", "3")
    monkeypatch.setenv("HF_ENDPOINT", "ftp://example")
    with pytest.raises(ConfigError, match="HF_ENDPOINT"):
        load_settings()


def test_explicit_overrides_beat_hf_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ENDPOINT", "http://127.0.0.1:1")  # a generic name must not leak in
    settings = load_settings(hf_home=tmp_path, offline=True)
    assert settings.hf_home == tmp_path and settings.offline is True
    assert settings.endpoint != "http://127.0.0.1:1"
