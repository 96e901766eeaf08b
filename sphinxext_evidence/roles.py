"""Roles: parse and validate inline citations; resolution numbers them later."""

from __future__ import annotations

from collections.abc import Callable

from docutils import nodes
from docutils.nodes import Node, system_message
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import split_explicit_title

from sphinxext_evidence.keys import (
    doi_key,
    parse_doi,
    parse_nct,
    parse_pmid,
    parse_rsid,
    pmid_key,
    split_dois,
    split_ids,
)
from sphinxext_evidence.nodes import pending_cite

logger = logging.getLogger(__name__)


class CiteRole(SphinxRole):
    """An inline citation of one or more identifiers, e.g. ``:pmid:`37818733, 22282884```."""

    def __init__(self, kind: str, parse: Callable[[str], str | None], to_key: Callable[[str], str], hint: str,
                 split: Callable[[str], list[str]] = split_ids) -> None:
        self.kind = kind
        self.parse = parse
        self.to_key = to_key
        self.hint = hint
        self.split = split

    def warn(self, message: str, subtype: str) -> None:
        """Log an ``evidence.<subtype>`` warning at the role's file and line."""
        logger.warning(message, location=self.get_location(), type="evidence", subtype=subtype)

    def run(self) -> tuple[list[Node], list[system_message]]:
        """Validate the identifiers and leave a :class:`pending_cite` placeholder."""
        keys: list[str] = []
        for raw in self.split(self.text):
            ident = self.parse(raw)
            if ident is None:
                self.warn(f"invalid {self.kind.upper()} {raw!r} in :{self.name}: ({self.hint}); it is not cited",
                          f"invalid-{self.kind}")
            elif self.to_key(ident) not in keys:
                keys.append(self.to_key(ident))
        if not keys:
            if not self.split(self.text):
                self.warn(f"empty :{self.name}: role; give at least one {self.kind.upper()}", "empty")
            return [nodes.inline(self.rawtext, self.text, classes=["evidence-error"])], []
        node = pending_cite(self.rawtext, keys=keys, docname=self.env.docname)
        node.source, node.line = self.get_source_info()
        self.env.get_domain("evidence").note_citations(self.env.docname, keys)  # type: ignore[attr-defined]
        return [node], []


def pmid_role() -> CiteRole:
    """The ``:pmid:`` role."""
    return CiteRole("pmid", parse_pmid, pmid_key, "a PMID is 1 to 9 digits, as in :pmid:`37818733`")


# --- :doi:, :nct:, :rsid: (issue 5) ---------------------------------------------------------

NCT_URL = "https://clinicaltrials.gov/study/{}"
DBSNP_URL = "https://www.ncbi.nlm.nih.gov/snp/{}"


def doi_role() -> CiteRole:
    """The ``:doi:`` role: cites by DOI exactly as ``:pmid:`` cites by PMID."""
    return CiteRole("doi", parse_doi, doi_key,
                    "a DOI looks like 10.1161/STROKEAHA.111.628537, optionally as doi:… or https://doi.org/…",
                    split=split_dois)


class LinkRole(SphinxRole):
    """An identifier that links to its public record: ``:nct:`NCT00868283```, ``:rsid:`rs429358```.

    Several identifiers may be given (``:rsid:`rs429358, rs7412```); ``text <id>``
    gives one link its own text.
    """

    def __init__(self, kind: str, label: str, parse: Callable[[str], str | None], url: str, hint: str) -> None:
        self.kind = kind
        self.label = label
        self.parse = parse
        self.url = url
        self.hint = hint

    def warn(self, message: str, subtype: str) -> None:
        """Log an ``evidence.<subtype>`` warning at the role's file and line."""
        logger.warning(message, location=self.get_location(), type="evidence", subtype=subtype)

    def run(self) -> tuple[list[Node], list[system_message]]:
        """Validate the identifiers and return links to their records."""
        has_title, title, target = split_explicit_title(self.text)
        pieces = [target.strip()] if has_title else split_ids(self.text)
        if not pieces or not pieces[0]:
            self.warn(f"empty :{self.name}: role; give at least one {self.label}", "empty")
            return [nodes.inline(self.rawtext, self.text, classes=["evidence-error"])], []
        out: list[Node] = []
        for raw in pieces:
            ident = self.parse(raw)
            if out:
                out.append(nodes.Text(", "))
            if ident is None:
                self.warn(f"invalid {self.label} {raw!r} in :{self.name}: ({self.hint}); it is not linked",
                          f"invalid-{self.kind}")
                out.append(nodes.inline(raw, raw, classes=["evidence-error"]))
                continue
            text = title if has_title else ident
            ref = nodes.reference(self.rawtext, text, refuri=self.url.format(ident), internal=False,
                                  classes=["evidence-link", f"evidence-{self.kind}"],
                                  reftitle=f"{self.label} {ident}")
            out.append(ref)
        return out, []


def nct_role() -> LinkRole:
    """The ``:nct:`` role: a link to the ClinicalTrials.gov record of a trial."""
    return LinkRole("nct", "ClinicalTrials.gov identifier", parse_nct, NCT_URL,
                    "NCT followed by 8 digits, as in :nct:`NCT00868283`")


def rsid_role() -> LinkRole:
    """The ``:rsid:`` role: a link to the dbSNP record of a genetic variant."""
    return LinkRole("rsid", "dbSNP rsID", parse_rsid, DBSNP_URL, "rs followed by digits, as in :rsid:`rs429358`")
