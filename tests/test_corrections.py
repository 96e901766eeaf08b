"""Retractions, concerns, corrections and newer versions, from real recorded PubMed and Crossref answers.

The records come from ``tests/fixtures/corrections`` (see its SOURCES.md):
PMID 11543891 is retracted (notice 11600210), 11406024 has a newer Cochrane
version, 35649368 an erratum; Crossref knows the retraction of the 1998
Wakefield paper only through Retraction Watch, and NEJMoa2007621 has an
expression of concern and a retraction.

They are served by the loopback E-utilities and Crossref doubles
(``tests/fakes``); the PubMed and doi.org addresses below are only the links
expected in the output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fakes.crossref import CrossrefDouble
from fakes.eutils import split_records
from helpers import build_with, read, warnings

FIXTURES = Path(__file__).parent / "fixtures" / "corrections"
WAKEFIELD = "10.1016/s0140-6736(97)11096-0"
NEJM = "10.1056/nejmoa2007621"


def _serve(eutils, fake_server) -> None:
    for path in sorted(FIXTURES.glob("pubmed_*.xml")):
        for element in split_records(path.read_bytes()).values():
            eutils.add_record(element)
    crossref = CrossrefDouble(fake_server, fixtures=FIXTURES / "none")
    for path in sorted(FIXTURES.glob("crossref_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        message = data["message"]
        for work in message.get("items", [message]) if isinstance(message, dict) else []:
            crossref.add_work(work)


@pytest.fixture
def site(make_app, project, eutils, fake_server):
    """The corrections project with its lockfile filled from the recorded answers; returns its folder."""
    _serve(eutils, fake_server)
    src = project("corrections")
    build_with(make_app, src, eutils=eutils)
    return src


def _warned_at(log: str, line: int, subtype: str) -> list[str]:
    return [w for w in log.splitlines() if f"index.rst:{line}: WARNING:" in w and w.endswith(f"[evidence.{subtype}]")]


def test_warnings_name_page_line_and_the_acknowledgement_syntax(make_app, site) -> None:
    app = make_app("html", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    log = warnings(app)
    retracted = _warned_at(log, 7, "retracted")
    assert len(retracted) == 1 and ":pmid:`11543891 | why it is cited`" in retracted[0]
    assert "Rtn" not in retracted[0] and "'index'" in retracted[0]
    assert _warned_at(log, 9, "superseded") and "has a newer version" in _warned_at(log, 9, "superseded")[0]
    assert not [w for w in log.splitlines() if "index.rst:11:" in w]  # an erratum flags nothing
    assert not [w for w in log.splitlines() if "index.rst:13:" in w]  # acknowledged
    assert _warned_at(log, 15, "retracted")  # Retraction Watch alone is enough
    assert _warned_at(log, 17, "retracted")  # the most serious flag of two
    assert [w for w in log.splitlines() if w.endswith("[evidence.grade-retracted-source]")]


def test_marks_in_words_in_every_format(make_app, site) -> None:
    for builder, name in (("text", "index.txt"), ("html", "index.html")):
        app = make_app(builder, srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
        app.build()
        out = re.sub(r"<[^>]+>", "", read(app, name))
        assert "[1 (retracted)]" in out, builder
        assert "[2 (newer version)]" in out, builder
        assert "[3]" in out and "[3 (" not in out, builder  # erratum only: no mark
        assert "Cited on purpose: discussed as an example of a retracted trial" in out, builder
        assert "Cited on purpose: shown as a retracted study" in out, builder
        assert "reported by Retraction Watch" in out, builder
        assert "Source retracted" in out, builder
    app = make_app("latex", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    assert "(retracted)" in tex and "(newer version)" in tex
    app = make_app("epub", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    assert "(retracted)" in (Path(app.outdir) / "index.xhtml").read_text(encoding="utf-8")


def test_entries_link_their_notices(make_app, site) -> None:
    app = make_app("html", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    html = read(app, "index.html")
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/11600210/"' in html  # the retraction notice
    assert 'href="https://doi.org/10.1016/s0140-6736(10)60175-4"' in html  # Wakefield's, from Crossref
    lock = json.loads((site / "evidence.lock.json").read_text(encoding="utf-8"))
    # The correction links of every cited DOI were asked for, PubMed's included.
    assert WAKEFIELD in lock["crossref-updates"] and NEJM in lock["crossref-updates"]
    assert all("checked" in entry for entry in lock["crossref-updates"].values())


def test_jsonld_does_not_present_a_retracted_work_as_support(make_app, site) -> None:
    app = make_app("html", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    html = read(app, "index.html")
    data = json.loads(re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', html, re.S).group(1))
    cited = {c.get("url") for c in data.get("citation", [])}
    mentioned = {m.get("url"): m for m in data.get("mentions", [])}
    assert "https://pubmed.ncbi.nlm.nih.gov/11543891/" in mentioned
    assert "https://pubmed.ncbi.nlm.nih.gov/11543891/" not in cited
    assert mentioned["https://pubmed.ncbi.nlm.nih.gov/11543891/"]["creativeWorkStatus"] == "Retracted"
    assert "https://pubmed.ncbi.nlm.nih.gov/35649368/" in cited  # an erratum does not stop support
    updated = next(c for c in data["citation"] if c.get("url") == "https://pubmed.ncbi.nlm.nih.gov/11406024/")
    assert updated["creativeWorkStatus"] == "Newer version available"


def test_site_wide_report_and_its_json(make_app, site) -> None:
    app = make_app("html", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    report = re.sub(r"<[^>]+>", " ", read(app, "report.html"))
    report = " ".join(report.split())
    assert "PMID 11543891" in report and "not acknowledged" in report
    assert "cited on purpose: discussed as an example of a retracted trial; shown as a retracted study" in report
    assert "Source retracted" in report  # the evidence index marks the grade
    rows = json.loads((Path(app.outdir) / "evidence-corrections.json").read_text(encoding="utf-8"))
    by_key = {row["key"]: row for row in rows}
    assert by_key["pmid:11543891"]["status"] == "retracted"
    # Line 7 cites it with no reason: two acknowledged citations on the page do not hide that one.
    assert by_key["pmid:11543891"]["pages"] == [
        {"page": "index", "acknowledged": ["discussed as an example of a retracted trial", "shown as a retracted study"],
         "unacknowledged": True}]
    assert "shown as a retracted study; also cited there without acknowledgement" in report
    assert by_key["pmid:35649368"]["status"] == "corrected"
    assert [n["origin"] for n in by_key[f"doi:{WAKEFIELD}"]["notices"]] == ["Retraction Watch", "Retraction Watch"]
    assert rows[0]["status"] == "retracted" and rows[-1]["status"] == "corrected"  # most serious first


def test_status_goes_stale_offline_and_is_rechecked_online(make_app, site, eutils, fake_server,
                                                          monkeypatch) -> None:
    lock = site / "evidence.lock.json"
    data = json.loads(lock.read_text(encoding="utf-8"))
    for record in data["pubmed"].values():
        record["custom"]["fetched"] = "2020-01-01"
    lock.write_text(json.dumps(data, indent=2), encoding="utf-8")
    app = make_app("html", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    stale = [w for w in warnings(app).splitlines() if w.endswith("[evidence.status-stale]")]
    assert len(stale) == 3 and all("2020-01-01" in w for w in stale)  # once per work, not per citation
    before = eutils.count
    app = build_with(make_app, site, eutils=eutils)
    assert eutils.count == before + 1  # one batched efetch for the three stale PMIDs
    assert "[evidence.status-stale]" not in warnings(app)
    refreshed = json.loads(lock.read_text(encoding="utf-8"))
    assert all(r["custom"]["fetched"] != "2020-01-01" for r in refreshed["pubmed"].values())


@pytest.mark.parametrize(("ref_type", "label", "mark"), [
    ("RetractionIn", "Retracted", "retracted"),
    ("PartialRetractionIn", "Partially retracted", "partially retracted"),
    ("RetractedandRepublishedIn", "Retracted and republished", "retracted and republished"),
    ("CorrectedandRepublishedIn", "Corrected and republished", "corrected and republished"),
    ("ExpressionOfConcernIn", "Expression of concern", "expression of concern"),
    ("ErratumIn", "Erratum", ""),
    ("UpdateIn", "Newer version available", "newer version"),
    ("RetractionOf", "Retraction notice for", ""),
    ("ExpressionOfConcernFor", "Expression of concern about", ""),
    ("PartialRetractionOf", "Partial retraction notice for", ""),
])
def test_every_correction_type_has_its_own_wording(ref_type, label, mark) -> None:
    """No recorded answer of PubMed carries some of these types, so the real retracted record
    (PMID 11543891) is given each type in turn; the rest of the record is as recorded."""
    from sphinxext_evidence.records.model import Article
    from sphinxext_evidence.sources.pubmed_xml import parse_pubmed_xml

    xml = (FIXTURES / "pubmed_nlmsample2019_11543891_11600210_retractionin_retractionof.xml").read_bytes()
    xml = xml.replace(b'RefType="RetractionIn"', f'RefType="{ref_type}"'.encode())
    xml = re.sub(rb"<PublicationType[^>]*>Retracted Publication</PublicationType>", b"", xml)
    record = parse_pubmed_xml(xml, "2026-11-30")["11543891"]
    assert [n["type"] for n in record["custom"]["notices"]] == [ref_type]
    article = Article.from_csl("pmid:11543891", record)
    assert article.notices[0].label == label
    assert article.mark == mark
    assert article.retracted is ("Retract" in ref_type and ref_type.endswith("In"))


def test_report_says_per_page_whether_any_citation_there_lacks_a_reason(make_app, site) -> None:
    (site / "ack.rst").write_text(":orphan:\n\nAck\n===\n\nOnly on purpose :pmid:`11543891 | only on purpose`.\n\n"
                                  "Again :pmid:`11543891 | only on purpose`.\n", encoding="utf-8")
    (site / "card.rst").write_text(":orphan:\n\nCard\n====\n\n.. pmid:: 11543891\n", encoding="utf-8")
    app = make_app("html", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    rows = json.loads((Path(app.outdir) / "evidence-corrections.json").read_text(encoding="utf-8"))
    pages = {p["page"]: p for p in next(r for r in rows if r["key"] == "pmid:11543891")["pages"]}
    assert pages["ack"] == {"page": "ack", "acknowledged": ["only on purpose"], "unacknowledged": False}
    assert pages["card"] == {"page": "card", "acknowledged": [], "unacknowledged": True}
    assert pages["index"]["unacknowledged"] is True


def test_the_acknowledging_hint_is_written_as_the_page_is() -> None:
    from sphinxext_evidence.citations.numbering import acknowledge_hint

    assert acknowledge_hint("pmid:993", "docs/page.md").startswith("{pmid}`993 | why it is cited`")
    assert acknowledge_hint("doi:10.1/x", "docs/page.rst").startswith(":doi:`10.1/x | why it is cited`")
    assert acknowledge_hint("pmid:993").startswith(":pmid:`993 | why it is cited`")


def test_epub_gives_each_warning_about_the_root_page_once(make_app, site) -> None:
    # The EPUB builder resolves the root page more than once; its warnings are still given once each.
    app = make_app("epub", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    lines = [w for w in warnings(app).splitlines() if "[evidence." in w]
    assert lines and len(lines) == len(set(lines)), "\n".join(lines)
    assert any(w.endswith("[evidence.retracted]") and "index.rst:" in w for w in lines)
