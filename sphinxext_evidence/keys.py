"""Citation keys: parsing and validating the identifiers authors write."""

from __future__ import annotations

import re

PMID_RE = re.compile(r"^[1-9][0-9]{0,8}$")
SPLIT_RE = re.compile(r"[\s,;]+")


def split_ids(text: str) -> list[str]:
    """Split ``"a, b c"`` into identifiers, dropping empty pieces."""
    return [part for part in SPLIT_RE.split(text.strip()) if part]


def pmid_key(pmid: str) -> str:
    """Citation key of a PMID."""
    return f"pmid:{pmid}"


def parse_pmid(text: str) -> str | None:
    """The PMID in ``text`` if it is a valid one (1 to 9 digits, no leading zero), else None."""
    text = text.strip()
    if text.lower().startswith("pmid:"):
        text = text[5:].strip()
    return text if PMID_RE.match(text) else None


def key_parts(key: str) -> tuple[str, str]:
    """``"pmid:123"`` → ``("pmid", "123")``."""
    kind, _, ident = key.partition(":")
    return kind, ident
