"""Tests for the Hub license catalog in hf_ecosystem.hub.licenses."""

from __future__ import annotations

import dataclasses
import json

import pytest

from hf_ecosystem.hub.licenses import (
    LICENSES,
    LicenseInfo,
    Permission,
    license_ids,
    lookup_license,
)

REQUIRED_IDS = [
    "apache-2.0",
    "mit",
    "bsd-2-clause",
    "bsd-3-clause",
    "cc0-1.0",
    "cc-by-4.0",
    "cc-by-sa-4.0",
    "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0",
    "openrail",
    "openrail++",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "gemma",
    "gpl-3.0",
    "agpl-3.0",
    "lgpl-3.0",
    "other",
    "unknown",
]
PERMISSIVE = ["apache-2.0", "mit", "bsd-2-clause", "bsd-3-clause", "cc-by-4.0"]
NON_COMMERCIAL = ["cc-by-nc-4.0", "cc-by-nc-sa-4.0"]
SHARE_ALIKE = ["cc-by-sa-4.0", "cc-by-nc-sa-4.0", "gpl-3.0", "agpl-3.0", "lgpl-3.0"]
RAIL = ["openrail", "openrail++", "bigscience-openrail-m", "creativeml-openrail-m"]
LLAMA = ["llama2", "llama3", "llama3.1", "llama3.2", "llama3.3"]
ALL_PERMISSIONS = ("commercial_use", "modification", "redistribution")
PHRASES = {
    "commercial_use": "commercial use",
    "modification": "modification",
    "redistribution": "redistribution",
}


def _assert_unread(info: LicenseInfo) -> None:
    assert info.read_license_file is True
    for field in ALL_PERMISSIONS:
        assert getattr(info, field) is Permission.UNKNOWN
    assert info.permits() == []
    assert info.forbids() == []
    assert info.summary.strip()


@pytest.mark.parametrize("license_id", REQUIRED_IDS)
def test_required_id_is_cataloged(license_id: str) -> None:
    assert license_id in LICENSES
    info = lookup_license(license_id)
    assert info is LICENSES[license_id]
    assert info.id == license_id
    assert info.known is True
    assert info.name.strip()


def test_license_ids_match_catalog() -> None:
    ids = license_ids()
    assert ids == list(LICENSES)
    assert len(ids) == len(set(ids))
    assert set(REQUIRED_IDS) <= set(ids)


def test_catalog_is_read_only() -> None:
    with pytest.raises(TypeError):
        LICENSES["mit"] = LICENSES["apache-2.0"]  # type: ignore[index]


def test_entries_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LICENSES["mit"].known = False  # type: ignore[misc]


@pytest.mark.parametrize("license_id", PERMISSIVE)
def test_permissive_allow_everything_with_attribution(license_id: str) -> None:
    info = LICENSES[license_id]
    assert info.commercial_use is Permission.YES
    assert info.modification is Permission.YES
    assert info.redistribution is Permission.YES
    assert info.attribution_required is True
    assert info.share_alike is False
    assert info.use_restrictions is False
    assert info.read_license_file is False
    assert info.permits() == ["commercial use", "modification", "redistribution"]
    assert info.forbids() == []
    assert "give attribution" in info.conditions()


def test_cc0_needs_no_attribution() -> None:
    info = LICENSES["cc0-1.0"]
    assert info.commercial_use is Permission.YES
    assert info.attribution_required is False
    assert info.conditions() == []


@pytest.mark.parametrize("license_id", NON_COMMERCIAL)
def test_non_commercial_forbid_commercial_use(license_id: str) -> None:
    info = LICENSES[license_id]
    assert info.commercial_use is Permission.NO
    assert info.modification is Permission.YES
    assert info.attribution_required is True
    assert "commercial use" in info.forbids()
    assert "commercial use" not in info.permits()
    assert "commercial" in info.summary.lower()


@pytest.mark.parametrize("license_id", SHARE_ALIKE)
def test_share_alike(license_id: str) -> None:
    info = LICENSES[license_id]
    assert info.share_alike is True
    assert "share alike" in info.conditions()


@pytest.mark.parametrize("license_id", ["apache-2.0", "mit", "cc-by-4.0", "cc-by-nc-4.0"])
def test_not_share_alike(license_id: str) -> None:
    assert LICENSES[license_id].share_alike is False


def test_agpl_mentions_network_use() -> None:
    assert "network" in LICENSES["agpl-3.0"].summary.lower()


@pytest.mark.parametrize("license_id", [*RAIL, *LLAMA, "gemma"])
def test_use_restrictions(license_id: str) -> None:
    info = LICENSES[license_id]
    assert info.use_restrictions is True
    assert info.read_license_file is True
    assert "use-based restrictions" in info.conditions()


@pytest.mark.parametrize("license_id", PERMISSIVE + SHARE_ALIKE + ["cc0-1.0", "cc-by-nc-4.0"])
def test_no_use_restrictions(license_id: str) -> None:
    assert LICENSES[license_id].use_restrictions is False


@pytest.mark.parametrize("license_id", LLAMA)
def test_llama_commercial_use_is_conditional(license_id: str) -> None:
    info = LICENSES[license_id]
    assert info.commercial_use is Permission.CONDITIONAL
    assert "commercial use" not in info.permits()
    assert "commercial use" not in info.forbids()
    assert "commercial use with conditions" in info.conditions()
    assert "700 million" in info.summary
    assert "acceptable use" in info.summary.lower()


def test_gemma_mentions_prohibited_use_policy() -> None:
    assert "prohibited use" in LICENSES["gemma"].summary.lower()


@pytest.mark.parametrize("license_id", ["other", "unknown"])
def test_other_and_unknown_need_reading(license_id: str) -> None:
    info = lookup_license(license_id)
    assert info.known is True
    assert info.url is None
    _assert_unread(info)


@pytest.mark.parametrize("value", [None, "", "   ", "Unknown", "UNKNOWN"])
def test_missing_license_is_unknown_entry(value: str | None) -> None:
    info = lookup_license(value)
    assert info is LICENSES["unknown"]
    _assert_unread(info)


def test_made_up_id_is_not_known() -> None:
    info = lookup_license("  my-very-own-license-v7 ")
    assert info.id == "my-very-own-license-v7"
    assert info.known is False
    assert info.use_restrictions is False
    assert "not in" in info.summary and "license file" in info.summary
    _assert_unread(info)
    assert "my-very-own-license-v7" not in LICENSES


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("Apache-2.0", "apache-2.0"),
        ("APACHE-2.0", "apache-2.0"),
        ("apache 2.0", "apache-2.0"),
        ("Apache License 2.0", "apache-2.0"),
        ("apache2", "apache-2.0"),
        (" MIT ", "mit"),
        ("Mit", "mit"),
        ("CC-BY-NC-4.0", "cc-by-nc-4.0"),
        ("Cc-By-Nc-4.0", "cc-by-nc-4.0"),
        ("cc by nc sa 4.0", "cc-by-nc-sa-4.0"),
        ("CC0", "cc0-1.0"),
        ("OpenRAIL++", "openrail++"),
        ("Llama 3.1", "llama3.1"),
        ("llama3_2", "llama3.2"),
        ("LLAMA2", "llama2"),
        ("GPLv3", "gpl-3.0"),
        ("AGPL-3.0-only", "agpl-3.0"),
        ("Gemma", "gemma"),
    ],
)
def test_alias_normalisation(alias: str, expected: str) -> None:
    assert lookup_license(alias) is LICENSES[expected]


@pytest.mark.parametrize("license_id", REQUIRED_IDS)
def test_to_dict_is_json_ready(license_id: str) -> None:
    info = LICENSES[license_id]
    data = info.to_dict()
    decoded = json.loads(json.dumps(data))
    assert decoded == data
    assert decoded["id"] == license_id
    for field in ALL_PERMISSIONS:
        assert decoded[field] == getattr(info, field).value
        assert type(decoded[field]) is str
    for field in ("attribution_required", "share_alike", "use_restrictions", "known"):
        assert decoded[field] is getattr(info, field)


def test_to_dict_of_made_up_id_is_json_ready() -> None:
    data = json.loads(json.dumps(lookup_license("custom-xyz").to_dict()))
    assert data["known"] is False
    assert data["commercial_use"] == "unknown"
    assert data["read_license_file"] is True


@pytest.mark.parametrize("license_id", REQUIRED_IDS)
def test_every_entry_has_summary_and_url_where_known(license_id: str) -> None:
    info = LICENSES[license_id]
    assert info.summary.strip()
    assert info.summary.rstrip().endswith(".")
    if license_id not in ("other", "unknown"):
        assert info.url is not None and info.url.startswith("https://")


@pytest.mark.parametrize("license_id", REQUIRED_IDS)
def test_permits_forbids_consistent_with_fields(license_id: str) -> None:
    info = LICENSES[license_id]
    permits, forbids = info.permits(), info.forbids()
    assert not set(permits) & set(forbids)
    conditions = info.conditions()
    for field, phrase in PHRASES.items():
        value = getattr(info, field)
        assert (phrase in permits) == (value is Permission.YES)
        assert (phrase in forbids) == (value is Permission.NO)
        assert (f"{phrase} with conditions" in conditions) == (value is Permission.CONDITIONAL)
    assert ("give attribution" in conditions) == info.attribution_required
    assert ("share alike" in conditions) == info.share_alike
    assert ("use-based restrictions" in conditions) == info.use_restrictions


def test_permission_values() -> None:
    assert [p.value for p in Permission] == ["yes", "no", "conditional", "unknown"]
    assert Permission.YES == "yes"
