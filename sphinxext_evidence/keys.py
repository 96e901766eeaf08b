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


# --------------------------------------------------------------------------- DOI, NCT, rsid
# Crossref's recommended pattern (matches nearly every registered DOI), without the
# character-class restriction so SICI-style DOIs with <, >, ; and # also pass.
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
# A new DOI starts after a comma or semicolon only when one of these follows.
DOI_SPLIT_RE = re.compile(r"\s+|[,;](?=\s*(?:doi:|https?://|10\.\d))", re.IGNORECASE)
NCT_RE = re.compile(r"^NCT\d{8}$")
RSID_RE = re.compile(r"^rs[1-9]\d{0,11}$")


def parse_doi(text: str) -> str | None:
    """The DOI in ``text`` (``10.x/y``, ``doi:10.x/y`` or a doi.org URL), lower-cased, if valid."""
    text = text.strip().rstrip(".,;")
    for prefix in DOI_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix):].strip()
            break
    if "%" in text:
        from urllib.parse import unquote

        text = unquote(text)
    return text.lower() if DOI_RE.match(text) else None


def doi_key(doi: str) -> str:
    """Citation key of a DOI (DOIs are case-insensitive, so keys are lower-cased)."""
    return f"doi:{doi.lower()}"


def split_dois(text: str) -> list[str]:
    """Split a list of DOIs; commas and semicolons inside a DOI are kept."""
    return [part.rstrip(",;") for part in DOI_SPLIT_RE.split(text.strip()) if part and part.rstrip(",;")]


def parse_nct(text: str) -> str | None:
    """A ClinicalTrials.gov identifier (``NCT`` and 8 digits), upper-cased, if valid."""
    text = text.strip().upper()
    return text if NCT_RE.match(text) else None


def parse_rsid(text: str) -> str | None:
    """A dbSNP reference SNP id (``rs`` and digits), lower-cased, if valid."""
    text = text.strip().lower()
    return text if RSID_RE.match(text) else None
