"""Catalog of common Hugging Face Hub license ids with plain-language permissions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Permission(StrEnum):
    """Whether a license allows an action: yes, no, only under conditions, or not known."""

    YES = "yes"
    NO = "no"
    CONDITIONAL = "conditional"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class LicenseInfo:
    """What one license lets you do, in plain words (not legal advice)."""

    id: str
    name: str
    commercial_use: Permission
    modification: Permission
    redistribution: Permission
    attribution_required: bool
    share_alike: bool
    use_restrictions: bool
    summary: str
    read_license_file: bool
    url: str | None
    known: bool = True

    def _permissions(self) -> list[tuple[str, Permission]]:
        return [
            ("commercial use", self.commercial_use),
            ("modification", self.modification),
            ("redistribution", self.redistribution),
        ]

    def permits(self) -> list[str]:
        """Short phrases for the actions this license allows without extra conditions."""
        return [phrase for phrase, value in self._permissions() if value is Permission.YES]

    def forbids(self) -> list[str]:
        """Short phrases for the actions this license does not allow."""
        return [phrase for phrase, value in self._permissions() if value is Permission.NO]

    def conditions(self) -> list[str]:
        """Short phrases for the duties that come with using this license."""
        out: list[str] = []
        if self.attribution_required:
            out.append("give attribution")
        if self.share_alike:
            out.append("share alike")
        if self.use_restrictions:
            out.append("use-based restrictions")
        out.extend(
            f"{phrase} with conditions"
            for phrase, value in self._permissions()
            if value is Permission.CONDITIONAL
        )
        if self.read_license_file:
            out.append("read the license file")
        return out

    def to_dict(self) -> dict[str, str | bool | list[str] | None]:
        """Plain JSON-ready data, with permissions as strings."""
        return {
            "id": self.id,
            "name": self.name,
            "commercial_use": self.commercial_use.value,
            "modification": self.modification.value,
            "redistribution": self.redistribution.value,
            "attribution_required": self.attribution_required,
            "share_alike": self.share_alike,
            "use_restrictions": self.use_restrictions,
            "summary": self.summary,
            "read_license_file": self.read_license_file,
            "url": self.url,
            "known": self.known,
            "permits": self.permits(),
            "forbids": self.forbids(),
            "conditions": self.conditions(),
        }


_Y = Permission.YES
_N = Permission.NO
_C = Permission.CONDITIONAL
_U = Permission.UNKNOWN


def _permissive(
    id_: str,
    name: str,
    summary: str,
    url: str,
    *,
    attribution: bool = True,
    commercial: Permission = _Y,
) -> LicenseInfo:
    return LicenseInfo(
        id_, name, commercial, _Y, _Y, attribution, False, False, summary, False, url
    )


def _copyleft(
    id_: str, name: str, summary: str, url: str, *, commercial: Permission = _Y
) -> LicenseInfo:
    return LicenseInfo(id_, name, commercial, _Y, _Y, True, True, False, summary, False, url)


def _restricted(
    id_: str, name: str, summary: str, url: str, *, commercial: Permission = _Y
) -> LicenseInfo:
    return LicenseInfo(id_, name, commercial, _Y, _Y, True, False, True, summary, True, url)


def _unread(id_: str, name: str, summary: str, *, known: bool = True) -> LicenseInfo:
    return LicenseInfo(id_, name, _U, _U, _U, False, False, False, summary, True, None, known)


_RAIL_NOTE = (
    "You may use, change and share it, also commercially, but not for the harmful uses the "
    "license lists, and you must pass those use restrictions on to anyone you share it with."
)
_LLAMA_NOTE = (
    "Commercial use is allowed unless your products had more than 700 million monthly active "
    "users, which needs a separate license from Meta; all use must follow Meta's Acceptable Use "
    "Policy, and redistribution must include the license and its attribution notice."
)

_CATALOG: tuple[LicenseInfo, ...] = (
    _permissive(
        "apache-2.0",
        "Apache License 2.0",
        "Permissive: you may use, change and share it, also commercially, if you keep the "
        "copyright and license notices and mark files you changed; it also grants a patent "
        "license.",
        "https://www.apache.org/licenses/LICENSE-2.0",
    ),
    _permissive(
        "mit",
        "MIT License",
        "Permissive: you may do almost anything with it, also commercially, as long as you keep "
        "the copyright and license notice.",
        "https://opensource.org/license/mit",
    ),
    _permissive(
        "bsd-2-clause",
        'BSD 2-Clause "Simplified" License',
        "Permissive: you may use, change and share it, also commercially, as long as you keep the "
        "copyright notice and the license text.",
        "https://opensource.org/license/bsd-2-clause",
    ),
    _permissive(
        "bsd-3-clause",
        'BSD 3-Clause "New" or "Revised" License',
        "Permissive: you may use, change and share it, also commercially, if you keep the "
        "copyright notice, and you may not use the authors' names to promote your product.",
        "https://opensource.org/license/bsd-3-clause",
    ),
    _permissive(
        "cc0-1.0",
        "Creative Commons Zero v1.0 Universal",
        "Public domain dedication: you may use, change and share it for any purpose, also "
        "commercially, without asking or giving credit.",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        attribution=False,
    ),
    _permissive(
        "cc-by-4.0",
        "Creative Commons Attribution 4.0 International",
        "You may use, change and share it, also commercially, as long as you credit the creator, "
        "link to the license and say if you made changes.",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    _copyleft(
        "cc-by-sa-4.0",
        "Creative Commons Attribution Share Alike 4.0 International",
        "You may use, change and share it, also commercially, if you credit the creator and share "
        "your adaptations under the same license.",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    _permissive(
        "cc-by-nc-4.0",
        "Creative Commons Attribution Non Commercial 4.0 International",
        "Non-commercial only: you may use, change and share it for non-commercial purposes if you "
        "credit the creator; commercial use is not allowed.",
        "https://creativecommons.org/licenses/by-nc/4.0/",
        commercial=_N,
    ),
    _copyleft(
        "cc-by-nc-sa-4.0",
        "Creative Commons Attribution Non Commercial Share Alike 4.0 International",
        "Non-commercial only: you may use, change and share it for non-commercial purposes if you "
        "credit the creator and share adaptations under the same license; commercial use is not "
        "allowed.",
        "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        commercial=_N,
    ),
    _restricted(
        "openrail",
        "Open RAIL (Responsible AI License)",
        "A family of responsible-AI licenses; the exact terms are in the repo's license file. "
        + _RAIL_NOTE,
        "https://www.licenses.ai/blog/2022/8/26/bigscience-open-rail-m-license",
    ),
    _restricted(
        "openrail++",
        "CreativeML Open RAIL++-M License",
        "Responsible-AI license used by Stable Diffusion XL. " + _RAIL_NOTE,
        "https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/blob/main/LICENSE.md",
    ),
    _restricted(
        "bigscience-openrail-m",
        "BigScience Open RAIL-M License",
        "Responsible-AI license from BigScience. " + _RAIL_NOTE,
        "https://bigscience.huggingface.co/blog/bigscience-openrail-m",
    ),
    _restricted(
        "creativeml-openrail-m",
        "CreativeML Open RAIL-M License",
        "Responsible-AI license used by Stable Diffusion 1.x. " + _RAIL_NOTE,
        "https://huggingface.co/spaces/CompVis/stable-diffusion-license",
    ),
    _restricted(
        "llama2",
        "Llama 2 Community License Agreement",
        "Meta's custom license for Llama 2. " + _LLAMA_NOTE,
        "https://ai.meta.com/llama/license/",
        commercial=_C,
    ),
    _restricted(
        "llama3",
        "Meta Llama 3 Community License Agreement",
        "Meta's custom license for Llama 3. " + _LLAMA_NOTE,
        "https://llama.meta.com/llama3/license/",
        commercial=_C,
    ),
    _restricted(
        "llama3.1",
        "Llama 3.1 Community License Agreement",
        "Meta's custom license for Llama 3.1. " + _LLAMA_NOTE,
        "https://llama.meta.com/llama3_1/license/",
        commercial=_C,
    ),
    _restricted(
        "llama3.2",
        "Llama 3.2 Community License Agreement",
        "Meta's custom license for Llama 3.2. " + _LLAMA_NOTE + " The policy does not grant "
        "rights to the multimodal (vision) models to people or companies based in the EU.",
        "https://www.llama.com/llama3_2/license/",
        commercial=_C,
    ),
    _restricted(
        "llama3.3",
        "Llama 3.3 Community License Agreement",
        "Meta's custom license for Llama 3.3. " + _LLAMA_NOTE,
        "https://www.llama.com/llama3_3/license/",
        commercial=_C,
    ),
    _restricted(
        "gemma",
        "Gemma Terms of Use",
        "Google's custom terms for Gemma: you may use, change and share it, also commercially, "
        "but not for uses banned by the Gemma Prohibited Use Policy, and you must pass these "
        "terms on when you share it.",
        "https://ai.google.dev/gemma/terms",
    ),
    _copyleft(
        "gpl-3.0",
        "GNU General Public License v3.0",
        "Copyleft: you may use, change and share it, also commercially, but if you distribute it "
        "or a modified version you must release the source under the GPL as well.",
        "https://www.gnu.org/licenses/gpl-3.0.html",
    ),
    _copyleft(
        "agpl-3.0",
        "GNU Affero General Public License v3.0",
        "Strong copyleft: like the GPL, shared or modified versions must be released under the "
        "AGPL with source, and this also applies when users interact with it over a network.",
        "https://www.gnu.org/licenses/agpl-3.0.html",
    ),
    _copyleft(
        "lgpl-3.0",
        "GNU Lesser General Public License v3.0",
        "Weak copyleft: you may use it, also in commercial and closed software, but changes to "
        "the licensed code itself must be shared under the LGPL.",
        "https://www.gnu.org/licenses/lgpl-3.0.html",
    ),
    _unread(
        "other",
        "Other license",
        "A custom license that is not one of the Hub's standard ids; read the repo's license "
        "file before using it.",
    ),
    _unread(
        "unknown",
        "Unknown license",
        "No license is declared; without one you have no clear right to use, change or share "
        "it, so read the repo's files or ask the author.",
    ),
)

LICENSES: Mapping[str, LicenseInfo] = MappingProxyType({info.id: info for info in _CATALOG})
"""Every cataloged license by its Hub id (read-only)."""

_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "apache2": "apache-2.0",
        "apache-2": "apache-2.0",
        "apache2.0": "apache-2.0",
        "apache-license-2.0": "apache-2.0",
        "apache-license-version-2.0": "apache-2.0",
        "mit-license": "mit",
        "the-mit-license": "mit",
        "bsd-2": "bsd-2-clause",
        "bsd-3": "bsd-3-clause",
        "cc0": "cc0-1.0",
        "cc-by-4": "cc-by-4.0",
        "cc-by-sa-4": "cc-by-sa-4.0",
        "cc-by-nc-4": "cc-by-nc-4.0",
        "cc-by-nc-sa-4": "cc-by-nc-sa-4.0",
        "llama-2": "llama2",
        "llama-3": "llama3",
        "llama-3.1": "llama3.1",
        "llama3-1": "llama3.1",
        "llama-3.2": "llama3.2",
        "llama3-2": "llama3.2",
        "llama-3.3": "llama3.3",
        "llama3-3": "llama3.3",
        "gpl3": "gpl-3.0",
        "gplv3": "gpl-3.0",
        "gpl-3": "gpl-3.0",
        "gpl-3.0-only": "gpl-3.0",
        "gpl-3.0-or-later": "gpl-3.0",
        "agpl3": "agpl-3.0",
        "agplv3": "agpl-3.0",
        "agpl-3": "agpl-3.0",
        "agpl-3.0-only": "agpl-3.0",
        "agpl-3.0-or-later": "agpl-3.0",
        "lgpl3": "lgpl-3.0",
        "lgplv3": "lgpl-3.0",
        "lgpl-3": "lgpl-3.0",
        "lgpl-3.0-only": "lgpl-3.0",
        "lgpl-3.0-or-later": "lgpl-3.0",
        "none": "unknown",
    }
)

_SEPARATORS = re.compile(r"[\s_]+")


def _normalise(license_id: str) -> str:
    return _SEPARATORS.sub("-", license_id.strip().lower())


def lookup_license(license_id: str | None) -> LicenseInfo:
    """Return the catalog entry for a Hub license id or alias, else a not-cataloged entry."""
    raw = (license_id or "").strip()
    if not raw:
        return LICENSES["unknown"]
    key = _normalise(raw)
    key = _ALIASES.get(key, key)
    info = LICENSES.get(key)
    if info is not None:
        return info
    return _unread(
        raw,
        raw,
        f"The license {raw!r} is not in this catalog; read the repo's license file to learn "
        "what it allows.",
        known=False,
    )


def license_ids() -> list[str]:
    """Return the Hub ids of all cataloged licenses, in catalog order."""
    return list(LICENSES)
