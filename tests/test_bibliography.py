"""``.. evidence-bibliography::``: every work cited anywhere on the site, with the pages citing it, kept up to date."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import build_with, read, warnings
from test_corrections import _serve

from sphinxext_evidence.citations.bibliography import sort_key
from sphinxext_evidence.records.model import Article


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def entries(html: str) -> list[str]:
    """The HTML of each bibliography entry, in order."""
    return re.findall(r'<li class="evidence-bibliography-entry">(.*?)</li>', html, re.S)


def test_every_cited_work_with_its_pages(make_app, project) -> None:
    app = make_app("html", srcdir=project("manual"), freshenv=True)
    app.build()
    found = entries(read(app, "bibliography.html"))
    assert len(found) == 10  # eight works with a record and two without, each once
    texts = [plain(e) for e in found]
    # Alphabetical by first author (or title); works with no record last.
    firsts = ["Doe", "Example Health Agency", "Example Pharma", "Examplia: symptoms", "Goldstein", "Heiss",
              "Muresanu", "Ziganshina", "WORK bad", "WORK nowhere-1"]
    for text, first in zip(texts, firsts):
        assert text.startswith(first), (text, first)
    # The trial is cited by PMID on one page and by its DOI on the other: one work, both pages.
    trial = found[5]
    assert plain(trial).endswith("Cited on: Examplia treatment, Other page")
    assert 'href="index.html"' in trial and 'href="other.html"' in trial
    assert plain(found[1]).endswith("Cited on: Examplia treatment, Other page")
    assert "metadata not available" in texts[-1] and plain(found[-1]).endswith("Cited on: Examplia treatment")
    assert "evidence-bibliography" not in warnings(app)


def test_rewritten_when_what_it_shows_changes(make_app, project) -> None:
    src = project("manual")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    page = Path(app.outdir, "bibliography.html")
    assert "Ziganshina" in page.read_text(encoding="utf-8")
    first = page.stat().st_mtime_ns
    again = make_app("html", srcdir=src)
    again.build()  # nothing changed: the page is not written again
    assert page.stat().st_mtime_ns == first
    (src / "other.rst").write_text("Other page\n==========\n\nNow citing only :work:`label-2024`.\n",
                                   encoding="utf-8")
    third = make_app("html", srcdir=src)
    third.build()  # only other.rst changed, yet the bibliography shows it
    html = page.read_text(encoding="utf-8")
    assert "Ziganshina" not in html and "Goldstein" not in html
    label = next(e for e in entries(html) if "Examplinol" in e)
    assert plain(label).endswith("Cited on: Examplia treatment, Other page")


def test_parallel_build_shows_the_same(make_app, project) -> None:
    first = project("manual")
    src = first.parent / "parallel"
    shutil.copytree(first, src)
    serial = make_app("html", srcdir=first, freshenv=True)
    serial.build()
    parallel = make_app("html", srcdir=src, freshenv=True, parallel=2)
    parallel.build()
    assert entries(read(serial, "bibliography.html")) == entries(read(parallel, "bibliography.html"))


def test_nothing_cited_is_a_sentence(make_app, tmp_path) -> None:
    (tmp_path / "conf.py").write_text('extensions = ["sphinxext_evidence"]\nevidence_offline = True\n')
    (tmp_path / "index.rst").write_text("Works\n=====\n\n.. evidence-bibliography::\n   :sorted: yes\n")
    app = make_app("text", srcdir=tmp_path, freshenv=True)
    app.build()
    assert "No page cites a work yet." in read(app, "index.txt")
    assert re.search(r"index\.rst:4: WARNING: evidence-bibliography: unknown option :sorted: "
                     r"\(allowed: none\) \[evidence\.unknown-option\]", warnings(app))


def test_text_and_latex(make_app, project) -> None:
    src = project("manual")
    app = make_app("text", srcdir=src, freshenv=True)
    app.build()
    text = " ".join(read(app, "bibliography.txt").split())
    assert "Cited on: Examplia treatment, Other page" in text
    app = make_app("latex", srcdir=src, freshenv=True)
    app.build()
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    assert "Cited on:" in tex and "Ziganshina" in tex


def test_flagged_works_carry_their_flag(make_app, project, eutils, fake_server) -> None:
    _serve(eutils, fake_server)
    src = project("corrections")
    (src / "works.rst").write_text(":orphan:\n\nWorks\n=====\n\n.. evidence-bibliography::\n", encoding="utf-8")
    build_with(make_app, src, eutils=eutils)  # fills the lockfile from the recorded answers
    app = make_app("html", srcdir=src, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    html = read(app, "works.html")
    retracted = next(e for e in entries(html) if "11543891" in e)
    assert 'evidence-badge-retracted' in retracted and plain(retracted).startswith("Retracted")
    assert plain(retracted).endswith("Cited on: Corrections")


@pytest.mark.parametrize(("article", "expected"), [
    (None, (1, "pmid:1", "", "")),
    (Article("k", title="<i>Zeta</i> title", year="2001"), (0, "zeta title", "2001", "zeta title")),
])
def test_sort_key(article, expected) -> None:
    assert sort_key("pmid:1", article) == expected
