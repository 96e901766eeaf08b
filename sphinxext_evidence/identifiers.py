"""Every identifier the extension knows: its syntax, normalisation, citation key and canonical link.

A *key* is ``kind:identifier`` (``pmid:37818733``, ``doi:10.1161/strokeaha.111.628537``,
``fda:metformin``); records in the lockfile and pages in the domain are noted by key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote

# ASCII digits only: \d would also take Arabic-Indic, full-width and other digits.
PMID_RE = re.compile(r"^[1-9][0-9]{0,8}$")
# Crossref's recommended pattern (matches nearly every registered DOI), without the
# character-class restriction so SICI-style DOIs with <, >, ; and # also pass.
DOI_RE = re.compile(r"^10\.[0-9]{4,9}/\S+$")
NCT_RE = re.compile(r"^NCT[0-9]{8}$")
RSID_RE = re.compile(r"^rs[1-9][0-9]{0,11}$")
PMCID_RE = re.compile(r"^PMC[0-9]{1,9}$")
_LEADING_ZEROS = re.compile(r"^0+(?=[0-9])")
WORK_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.:/-]{0,99}$")

SPLIT_RE = re.compile(r"[\s,;]+")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
# A new DOI starts after a comma or semicolon only when one of these follows.
DOI_SPLIT_RE = re.compile(r"\s+|[,;](?=\s*(?:doi:|https?://|10\.\d))", re.IGNORECASE)


def split_ids(text: str) -> list[str]:
    """Split ``"a, b c"`` into identifiers, dropping empty pieces; ``PMID: 123`` stays one piece."""
    text = re.sub(r"(?i)\b(pmid|pmcid|doi):\s+", r"\1:", text.strip())
    return [part for part in SPLIT_RE.split(text) if part]


def split_dois(text: str) -> list[str]:
    """Split a list of DOIs; commas and semicolons inside a DOI are kept."""
    return [part.rstrip(",;") for part in DOI_SPLIT_RE.split(text.strip()) if part and part.rstrip(",;")]


def parse_pmid(text: str) -> str | None:
    """The PMID in ``text`` if it is a valid one (1 to 9 digits, no leading zero), else None."""
    text = text.strip()
    if text.lower().startswith("pmid:"):
        text = text[5:].strip()
    text = _LEADING_ZEROS.sub("", text)
    return text if PMID_RE.match(text) else None


def parse_doi(text: str) -> str | None:
    """The DOI in ``text`` (``10.x/y``, ``doi:10.x/y`` or a doi.org URL), lower-cased, if valid."""
    text = text.strip().rstrip(".,;")
    prefix_was_url = False
    for prefix in DOI_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix):].strip()
            prefix_was_url = prefix != "doi:"
            break
    # A doi.org address is percent-encoded; a DOI written bare is kept as written (a DOI may hold "%").
    if "%" in text and prefix_was_url:
        text = unquote(text)
    # The same DOI may arrive composed or decomposed (NFC or NFD).
    text = unicodedata.normalize("NFC", text)
    return text.lower() if DOI_RE.match(text) and text.isprintable() else None


def doi_url(doi: str) -> str:
    """The doi.org address of ``doi``, its characters that mean something in a URL (``#``, ``?``, ``%`` …) encoded."""
    return "https://doi.org/" + quote(doi, safe="/:;()[]!$&'*+,=@~")


def parse_nct(text: str) -> str | None:
    """A ClinicalTrials.gov identifier (``NCT`` and 8 digits), upper-cased, if valid."""
    text = text.strip().upper()
    return text if NCT_RE.match(text) else None


def parse_rsid(text: str) -> str | None:
    """A dbSNP reference SNP id (``rs`` and digits), lower-cased, if valid."""
    text = text.strip().lower()
    if text.startswith("rs"):
        text = "rs" + _LEADING_ZEROS.sub("", text[2:])
    return text if RSID_RE.match(text) else None


def parse_pmcid(text: str) -> str | None:
    """A PubMed Central id (``PMC`` and digits), upper-cased, if valid."""
    text = text.strip().upper()
    return text if PMCID_RE.match(text) else None


def parse_work_id(text: str) -> str | None:
    """The id of a manual record (a letter or digit, then letters, digits and ``-_.:/``), lower-cased, if valid."""
    text = text.strip().lower()
    return text if WORK_ID_RE.match(text) else None


def drug_name(name: str) -> str:
    """A drug name as looked up at the FDA: lower-cased, spaces collapsed, quotes and backslashes dropped."""
    return " ".join(re.sub(r'["\\]', " ", name).split()).lower()


def parse_drug_name(text: str) -> str | None:
    """The normalised drug name, or None when nothing name-like is left."""
    name = drug_name(text)
    return name if any(c.isalnum() for c in name) else None


@dataclass(frozen=True)
class Kind:
    """One kind of identifier: how it is written, checked and linked."""

    name: str
    label: str
    parse: Callable[[str], str | None]
    url: str
    hint: str
    split: Callable[[str], list[str]] = split_ids
    make_link: Callable[[str], str] | None = None  # when ``url`` cannot simply take the identifier as it is

    def link(self, ident: str) -> str:
        """The canonical public URL of ``ident`` ('' when the kind has none)."""
        if self.make_link is not None:
            return self.make_link(ident)
        return self.url.format(ident) if self.url else ""


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("pmid", "PMID", parse_pmid, "https://pubmed.ncbi.nlm.nih.gov/{}/",
             "a PMID is 1 to 9 digits, as in :pmid:`37818733`"),
        Kind("doi", "DOI", parse_doi, "https://doi.org/{}",
             "a DOI looks like 10.1161/STROKEAHA.111.628537, optionally as doi:… or https://doi.org/…",
             split_dois, doi_url),
        Kind("pmcid", "PMCID", parse_pmcid, "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/",
             "a PMCID is PMC followed by digits"),
        Kind("nct", "ClinicalTrials.gov identifier", parse_nct, "https://clinicaltrials.gov/study/{}",
             "NCT followed by 8 digits, as in :nct:`NCT00868283`"),
        Kind("rsid", "dbSNP rsID", parse_rsid, "https://www.ncbi.nlm.nih.gov/snp/{}",
             "rs followed by digits, as in :rsid:`rs429358`"),
        Kind("fda", "drug name", parse_drug_name, "", "a drug name, as in Cerebrolysin"),
    )
}

# A manual record's id is chosen by the author (``who-2023``), so it is kept out of KINDS: tools that
# guess the kind of a bare identifier (``sphinx-evidence show``) would take any word for one.
WORK = Kind("work", "manual record", parse_work_id, "",
            "an id declared in the evidence_manual_records file: letters, digits and - _ . : /, as in :work:`who-2023`")

PUBMED_URL = KINDS["pmid"].url
PMC_URL = KINDS["pmcid"].url


def make_key(kind: str, ident: str) -> str:
    """The key of an identifier: ``pmid:123``; DOIs are case-insensitive, so their keys are lower-cased."""
    return f"{kind}:{ident.lower() if kind == 'doi' else ident}"


def pmid_key(pmid: str) -> str:
    """Citation key of a PMID."""
    return make_key("pmid", pmid)


def doi_key(doi: str) -> str:
    """Citation key of a DOI."""
    return make_key("doi", doi)


def key_parts(key: str) -> tuple[str, str]:
    """``"pmid:123"`` → ``("pmid", "123")``."""
    kind, _, ident = key.partition(":")
    return kind, ident


def key_label(key: str) -> str:
    """``pmid:123`` → ``PMID 123``."""
    kind, ident = key_parts(key)
    return f"{kind.upper()} {ident}"
