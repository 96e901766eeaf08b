"""Regulatory statuses and jurisdictions as authors write them in ``regulatory-status``.

Jurisdictions are ISO 3166-1 alpha-2 codes plus ``EU`` and ``WHO``.
"""

from __future__ import annotations

import functools
import re

#: Status keyword -> the words shown on the badge.
STATUSES: dict[str, str] = {
    "approved": "Approved",
    "approved-not-marketed": "Approved, not marketed",
    "tentative": "Tentative approval",
    "not-approved": "Not approved",
    "withdrawn": "Withdrawn",
    "withdrawn-safety": "Withdrawn for safety reasons",
    "refused": "Refused",
    "unknown": "Unknown",
}

ALLOWED_JURISDICTIONS = "an ISO 3166-1 alpha-2 code (such as US, GB, RU, CN), EU or WHO"

#: Codes people write that are not ISO 3166-1 alpha-2, with the code they mean.
CODE_HINTS: dict[str, str] = {"UK": "GB", "EL": "GR"}


@functools.lru_cache(maxsize=1)
def jurisdictions() -> dict[str, str]:
    """Every jurisdiction a field may name, code -> English name: ISO 3166-1 alpha-2 countries, EU and WHO.

    The codes come from pycountry (the ISO 3166-1 list); the names from the
    Unicode CLDR through babel, which Sphinx already installs, because CLDR's
    short names are the ones readers know ("Russia", "South Korea") where
    ISO's are formal ("Russian Federation", "Korea, Republic of").  CLDR's
    ampersands ("Bosnia & Herzegovina") are spelled out, as in running text.
    """
    import pycountry
    from babel import Locale

    names = Locale("en").territories
    table = {c.alpha_2: str(names.get(c.alpha_2) or getattr(c, "common_name", "") or c.name).replace(" & ", " and ")
             for c in pycountry.countries}
    return {**table, "EU": "European Union", "WHO": "World Health Organization"}


_KEYWORD_RE = re.compile(r"^\s*([A-Za-z]+(?:[-_][A-Za-z]+)*)(.*)$", re.DOTALL)
_SEPARATOR_RE = re.compile(r"^\s*(?:[\u2014\u2013:;,]|-{1,3}(?=\s|$))?\s*")
_SOURCE_RE = re.compile(r"(?:^|(?<=\s)|(?<=[.;,]))(Sources?:)\s*", re.IGNORECASE)


def jurisdiction_name(code: str) -> str | None:
    """Full name of a jurisdiction code (case-insensitive), or None when it is not one."""
    return jurisdictions().get(code.strip().upper())


def split_status(text: str) -> tuple[str, str]:
    """``"not-approved — no record"`` -> ``("not-approved", "no record")`` (keyword lower-cased)."""
    match = _KEYWORD_RE.match(text)
    if not match:
        return "", text.strip()
    keyword = match.group(1).lower().replace("_", "-")
    rest = _SEPARATOR_RE.sub("", match.group(2), count=1)
    return keyword, rest


def find_source_marker(text: str) -> re.Match[str] | None:
    """Where a ``Source:``/``Sources:`` marker starts the source part of a details text."""
    return _SOURCE_RE.search(text)
