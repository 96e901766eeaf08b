"""A double of NCBI E-utilities efetch (db=pubmed, retmode=xml) built from recorded responses.

Every ``PubmedArticle``/``PubmedBookArticle`` in the recorded efetch files is
indexed by its PMID, byte for byte as NCBI sent it; a request gets a
``PubmedArticleSet`` holding just the requested PMIDs that are known, in the
order asked, and an empty set when none is known (as NCBI answers an unknown
PMID).  Tests may register further records and queue faults on
:data:`EFETCH_PATH` through the underlying :class:`FakeServer`.
"""

from __future__ import annotations

import re
from pathlib import Path

from .server import Canned, FakeServer, RecordedRequest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "eutils"
EUTILS_PATH = "/entrez/eutils/"
EFETCH_PATH = EUTILS_PATH + "efetch.fcgi"
XML_HEADERS = {"Content-Type": "text/xml; charset=UTF-8"}

# The prolog of a 2025 efetch answer (see the recorded unknown-PMID response).
PROLOG = (
    b'<?xml version="1.0" ?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)

_RECORD_RE = re.compile(rb"<(PubmedArticle|PubmedBookArticle)>.*?</\1>", re.DOTALL)
# The first PMID of a record is its own (MedlineCitation or BookDocument); later ones are links.
_PMID_RE = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")


def split_records(data: bytes) -> dict[str, bytes]:
    """Cut a recorded PubmedArticleSet into ``{pmid: raw article element}``."""
    records: dict[str, bytes] = {}
    for match in _RECORD_RE.finditer(data):
        element = match.group(0)
        pmid = _PMID_RE.search(element)
        if pmid:
            records[pmid.group(1).decode("ascii")] = element
    return records


def with_pmid(element: bytes, pmid: str) -> bytes:
    """A copy of an article element whose own PMID is replaced (for derived test records)."""
    element = _PMID_RE.sub(lambda m: m.group(0).replace(m.group(1), pmid.encode("ascii")), element, count=1)
    return re.sub(
        rb'(<ArticleId IdType="pubmed">)\s*\d+\s*(</ArticleId>)',
        lambda m: m.group(1) + pmid.encode("ascii") + m.group(2),
        element,
        count=1,
    )


def article_set(elements: list[bytes]) -> bytes:
    """A full efetch body holding ``elements``."""
    if not elements:
        return PROLOG + b"<PubmedArticleSet></PubmedArticleSet>\n"
    return PROLOG + b"<PubmedArticleSet>\n" + b"\n".join(elements) + b"\n</PubmedArticleSet>\n"


class EUtilsDouble:
    """Serves efetch for the recorded PubMed records on a :class:`FakeServer`."""

    def __init__(self, server: FakeServer, fixtures: Path = FIXTURES) -> None:
        self.server = server
        self.records: dict[str, bytes] = {}
        for path in sorted(fixtures.glob("efetch_pubmed_xml_*.xml")):
            self.records.update(split_records(path.read_bytes()))
        server.route(EFETCH_PATH, self.efetch)

    @property
    def base_url(self) -> str:
        """What ``evidence_eutils_url`` should be set to (ends with a slash)."""
        return self.server.url.rstrip("/") + EUTILS_PATH

    @property
    def requests(self) -> list[RecordedRequest]:
        """The efetch requests received so far."""
        return self.server.requests_to(EFETCH_PATH)

    @property
    def count(self) -> int:
        """How many efetch requests were received."""
        return len(self.requests)

    def add_record(self, element: bytes) -> str:
        """Serve one more ``PubmedArticle``/``PubmedBookArticle`` element; return its PMID."""
        records = split_records(element)
        if len(records) != 1:
            raise ValueError("expected exactly one PubmedArticle or PubmedBookArticle element")
        (pmid, raw), = records.items()
        self.records[pmid] = raw
        return pmid

    def efetch(self, request: RecordedRequest) -> Canned:
        """The efetch route handler (tests may wrap it to fail selected requests)."""
        if (request.param("db") or "pubmed") != "pubmed":
            return Canned(200, XML_HEADERS, _error("Invalid db name specified"))
        ids = [i.strip() for i in (request.param("id") or "").split(",") if i.strip()]
        if not ids:
            return Canned(200, XML_HEADERS, _error("Empty id list - nothing todo"))
        found = [self.records[i] for i in dict.fromkeys(ids) if i in self.records]
        return Canned(200, XML_HEADERS, article_set(found))


def _error(message: str) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" ?>\n<eFetchResult>\n\t<ERROR>'
        + message.encode("utf-8")
        + b"</ERROR>\n</eFetchResult>\n"
    )
