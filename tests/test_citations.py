""":pmid:, references and pmid study cards, built by Sphinx against a loopback E-utilities."""

# Service URLs below are links expected in the rendered output, never requested: tests/conftest.py
# refuses every connection that is not to loopback (127.0.0.1).

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fakes import EUtilsDouble
from helpers import build_with, read, warnings

LOCK = "evidence.lock.json"


def online(make_app, src: Path, eutils: EUtilsDouble, builder: str = "html", **conf):
    """Build ``src`` with the E-utilities double as NCBI."""
    return build_with(make_app, src, builder, eutils=eutils, **conf)


def entry(html: str, n: int) -> str:
    """The HTML of reference-list entry ``n``."""
    match = re.search(rf'<li class="[^"]*evidence-entry[^"]*" id="evidence-ref-{n}">(.*?)</li>\s*(?=<li class="[^"]*evidence-entry|</ol>)', html, re.S)
    assert match, f"no entry {n}"
    return match.group(1)


def test_numbers_entries_links_and_cards(make_app, project, eutils):
    src = project("citations")
    app = online(make_app, src, eutils)
    html = read(app, "index.html")
    text = re.sub(r"<[^>]+>", "", html)
    # Order of first citation; repeats reuse numbers; runs become ranges.
    assert "A collective author [1]" in text
    assert "Markup in a title [2]" in text
    assert "Both again [1, 2]" in text
    assert "a run [3–6]" in text
    assert "An erratum [3]" in text
    # Tooltips carry the short reference; numbers link to entries.
    assert 'href="#evidence-ref-1" title="National Toxicology Program (2011). Nitrofen."' in html
    # Collective author as written; title markup as emphasis; PubMed/DOI/PMC links.
    first = entry(html, 1)
    assert "National Toxicology Program. Nitrofen. Rep Carcinog. 2011;12:296-7. " in re.sub(r"<[^>]+>", "", first)
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/21860499/"' in first
    second = entry(html, 2)
    assert "<em>TERT</em>" in second
    assert re.sub(r"<[^>]+>", "", second).startswith(
        "Bao Y, Prescott J, Yuan C, Zhang M, Kraft P, Babic A, et al. Leucocyte telomere length")
    assert 'href="https://doi.org/10.1136/gutjnl-2016-312510"' in second
    assert 'href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC5442267/"' in second
    # Back-links to every place of citation: entry 1 is cited three times (text, text, card finding).
    assert len(re.findall(r'href="#evidence-cite-1-\d"', first)) == 3
    for anchor in re.findall(r'href="#(evidence-cite-1-\d)"', first):
        assert f'id="{anchor}"' in html
    # Erratum shown as a note.
    assert "Erratum" in entry(html, 3)
    # The study card counts as a citation, shows types, retraction, author facts and body.
    card = html[html.index('class="evidence-card'):]
    card = card[: card.index("evidence-references")]
    assert "Retracted Publication" in card and "evidence-badge-retracted" in card
    assert "Laboratory study" in card and "The authors’ own comment" in card or "The authors' own comment" in card
    assert 'href="#evidence-ref-7"' in card
    retracted = entry(html, 7)
    assert "evidence-retracted" in html and "PMID 195582" in retracted  # link to the retraction notice
    assert re.search(r"index\.rst:\d+: WARNING: PMID 993 cited on page 'index' is retracted.*\[evidence\.retracted\]",
                     warnings(app))
    # The list sits where the directive is, before the text after it.
    assert html.index("evidence-references") < html.index("Text after the list")
    # One POST for every PMID of the project, with NCBI etiquette.
    assert eutils.count == 1
    request = eutils.requests[0]
    assert request.method == "POST"
    assert request.param("tool") == "sphinxext-evidence-tests"
    assert request.param("email") == "tests@example.org"
    assert set(request.param("id").split(",")) >= {"21860499", "993", "26468569", "20301382"}


def test_auto_list_books_unicode(make_app, project, eutils):
    src = project("citations")
    app = online(make_app, src, eutils)
    html = read(app, "other.html")
    text = re.sub(r"<[^>]+>", "", html)
    assert '<p class="evidence-references-title rubric">References</p>' in html
    assert "Committee on Predictive-Toxicology Approaches" in text
    assert ("Goldstein A, Falk MJ. Single Large-Scale Mitochondrial DNA Deletion Syndromes. "
            "2003 Dec 17 [updated 2023 Sep 28]. In: ") in text
    assert "GeneReviews®" in text
    assert "González-Reyes S, Martínez L, Tovar JA. Effects of prenatal" in text
    assert "Park YS, Konge L, Artino AR Jr. The Positivism" in text
    # Numbering restarts on every page.
    assert "A book [1] and a chapter [2]; unicode names [3]" in text


def test_lockfile_sorted_deterministic_and_reused(make_app, project, eutils):
    src = project("citations")
    online(make_app, src, eutils)
    first = (src / LOCK).read_bytes()
    assert first.endswith(b"\n")
    data = __import__("json").loads(first)
    assert list(data["pubmed"]) == sorted(data["pubmed"])
    record = data["pubmed"]["21860499"]
    assert record["author"] == [{"literal": "National Toxicology Program"}]
    assert record["custom"]["fetched"]
    # A second build reads the lockfile and sends nothing.
    online(make_app, src, eutils)
    assert eutils.count == 1
    assert (src / LOCK).read_bytes() == first


def test_offline_build_never_connects(make_app, project, eutils):
    src = project("citations")
    app = online(make_app, src, eutils, evidence_offline=True)
    assert eutils.server.requests == []
    assert not (src / LOCK).exists()
    log = warnings(app)
    assert re.search(r"index\.rst:8: WARNING: PMID 21860499 has no record in the lockfile.*\[evidence\.missing\]", log)
    html = read(app, "index.html")
    assert "metadata not available" in html


def test_offline_by_environment(make_app, project, eutils, monkeypatch):
    monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "1")
    src = project("citations")
    online(make_app, src, eutils)
    assert eutils.server.requests == []


@pytest.mark.parametrize("builder", ["latex", "text", "epub", "dirhtml", "singlehtml", "man"])
def test_other_builders(make_app, project, eutils, builder):
    src = project("citations")
    app = online(make_app, src, eutils, builder)
    log = warnings(app)
    assert "Traceback" not in log
    unexpected = [line for line in log.splitlines() if "WARNING" in line and "[evidence.retracted]" not in line]
    assert unexpected == []
    out = Path(app.outdir)
    files = {
        "latex": "citations.tex", "text": "index.txt", "epub": "index.xhtml",
        "dirhtml": "index.html", "singlehtml": "index.html", "man": "citations.1",
    }
    produced = (out / files[builder]).read_text(encoding="utf-8")
    assert "National Toxicology Program" in produced
    if builder == "text":
        assert "A collective author [1]." in produced
        assert "1. National Toxicology Program. Nitrofen. Rep Carcinog. 2011;12:296-7." in produced
    if builder == "latex":
        assert r"\hyperref[\detokenize{index:evidence-ref-1}]" in produced
        assert r"\sphinxstyleemphasis{TERT}" in produced
    if builder == "singlehtml":
        ids = re.findall(r'id="([^"]+)"', produced)
        assert len(ids) == len(set(ids)), "duplicate ids in the single page"
        assert "evidence-other-ref-1" in produced


def test_bad_input_warns_and_goes_on(make_app, project):
    src = project("badinput")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    log = warnings(app)
    expected = [
        (4, "invalid-pmid", "'abc'"),
        (6, "empty", "empty :pmid: role"),
        (8, "invalid-pmid", "'0'"),
        (10, "invalid-pmid", "'12345678901234567890'"),
        (12, "invalid-pmid", "'x1'"),
        (14, "unknown-option", ":colour:"),
        (14, "empty", ":design: is empty"),
        (18, "invalid-pmid", "'not-a-pmid'"),
        (22, "duplicate-references", "only one reference list"),
    ]
    for line, subtype, fragment in expected:
        pattern = rf"index\.rst:{line}: WARNING: [^\n]*{re.escape(fragment)}[^\n]*\[evidence\.{subtype}\]"
        assert re.search(pattern, log), f"missing warning {subtype} at line {line}:\n{log}"
    html = read(app, "index.html")
    assert html.count("evidence-references") == 1
    assert "Traceback" not in log


def test_unknown_option_on_references(make_app, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_offline = True\n")
    (src / "index.rst").write_text("T\n=\n\n:pmid:`1`\n\n.. references::\n   :style: odd\n")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    assert re.search(r"index\.rst:6: WARNING: references: unknown option :style: .*\[evidence\.unknown-option\]",
                     warnings(app))


def test_service_text_is_escaped_not_injected(make_app, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_offline = True\n")
    (src / "index.rst").write_text("T\n=\n\nA hostile record :pmid:`4242`.\n")
    record = {
        "id": "pmid:4242", "type": "article-journal", "PMID": "4242",
        # As stored by the parser: text escaped, only <i>/<b>/<sup>/<sub> kept as tags.
        "title": "&lt;script&gt;alert(1)&lt;/script&gt; of <i>E. coli</i> &amp; CO<sub>2</sub>",
        "author": [{"literal": "<img src=x onerror=alert(2)>"}],
        "container-title-short": "J <b>Bad</b>\"",
        "custom": {"initials": [""], "publication-types": ["Journal Article"]},
    }
    (src / "evidence.lock.json").write_text(json.dumps({"version": 1, "pubmed": {"4242": record}}))
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    html = read(app, "index.html")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; of <em>E. coli</em> &amp; CO<sub>2</sub>" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "J &lt;b&gt;Bad&lt;/b&gt;&quot;" in html or "J &lt;b&gt;Bad&lt;/b&gt;\"" in html
