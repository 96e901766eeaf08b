"""HTML written at resolve time: the very pages and search index the writer makes, from far fewer nodes."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from conftest import ROOTS
from docutils import nodes
from helpers import warnings

from sphinxext_evidence.prerender import evidence_html, wanted

EVERY_ROOT = sorted(path.name.removeprefix("test-") for path in ROOTS.glob("test-*"))
EXAMPLE_SITE = Path(__file__).resolve().parent.parent / "example_site"


def written(outdir: Path) -> dict[str, str]:
    """Every page and the search index of a build, by path."""
    out = {str(path.relative_to(outdir)): path.read_text(encoding="utf-8")
           for path in sorted(outdir.rglob("*.html"))}
    index = outdir / "searchindex.js"
    if index.exists():
        out["searchindex.js"] = index.read_text(encoding="utf-8")
    return out


def build_both(make_app, src: Path, tmp_path: Path, builder: str = "html", **conf) -> dict[bool, object]:
    """Build ``src`` with writing at resolve time on and off, each into its own folder."""
    apps = {}
    for on in (True, False):
        app = make_app(builder, srcdir=src, builddir=tmp_path / f"build-{on}", freshenv=True,
                       status=StringIO(), warning=StringIO(), confoverrides={"evidence_offline": True, "evidence_html_prerender": on, **conf})
        app.build()
        apps[on] = app
    return apps


def html_nodes(app, docname: str) -> list[evidence_html]:
    """The pre-written pieces of ``docname`` as the HTML builder resolves it."""
    doctree = app.env.get_and_resolve_doctree(docname, app.builder, tags=app.tags)
    return list(doctree.findall(evidence_html))


@pytest.mark.parametrize("root", EVERY_ROOT)
def test_every_test_project_is_written_the_same(make_app, project, tmp_path, root):
    apps = build_both(make_app, project(root), tmp_path)
    assert written(Path(apps[True].outdir)) == written(Path(apps[False].outdir))
    on, off = ([line for line in warnings(apps[flag]).splitlines() if "[evidence." in line] for flag in (True, False))
    assert on == off


def test_example_site_is_written_the_same_from_far_fewer_nodes(make_app, tmp_path):
    src = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, src, ignore=shutil.ignore_patterns("_build"))
    apps = build_both(make_app, src, tmp_path)
    assert written(Path(apps[True].outdir)) == written(Path(apps[False].outdir))
    counts = {}
    for flag, app in apps.items():
        counts[flag] = sum(sum(1 for _ in app.env.get_and_resolve_doctree(name, app.builder, tags=app.tags).findall())
                           for name in app.env.found_docs)
    assert counts[True] < counts[False] / 2, counts
    assert not any(html_nodes(apps[False], name) for name in apps[False].env.found_docs)


@pytest.mark.parametrize("root", ["print-tables", "regulatory"])
def test_numbered_tables_are_written_the_same(make_app, project, tmp_path, root):
    apps = build_both(make_app, project(root), tmp_path, numfig=True)
    assert written(Path(apps[True].outdir)) == written(Path(apps[False].outdir))


def test_dirhtml_is_written_the_same(make_app, project, tmp_path):
    apps = build_both(make_app, project("furniture"), tmp_path, "dirhtml")
    assert written(Path(apps[True].outdir)) == written(Path(apps[False].outdir))
    assert html_nodes(apps[True], "index")


EDGES = """\
:orphan:

.. _edges-top:

Edges and :pmid:`37818733`
==========================

.. bottom-line::

   Read :ref:`edges-top` and :doc:`index` first :pmid:`22282884`.

.. bottom-line::

   No cross-reference here :pmid:`22282884`.

- A card inside a list:

  .. evidence-grade:: All-cause death
     :certainty: moderate
     :effect: little-or-no
     :participants: 1689
     :studies: 6 RCTs
     :source: 37818733

.. references::
"""


def test_pieces_that_wait_for_later_stages_stay_nodes(make_app, project, tmp_path):
    src = project("furniture")
    (src / "edges.rst").write_text(EDGES, encoding="utf-8")
    apps = build_both(make_app, src, tmp_path)
    assert written(Path(apps[True].outdir)) == written(Path(apps[False].outdir))
    page = (Path(apps[True].outdir) / "edges.html").read_text(encoding="utf-8")
    assert 'href="#edges-top"' in page and 'href="index.html"' in page

    doctree = apps[True].env.get_and_resolve_doctree("edges", apps[True].builder, tags=apps[True].tags)
    pieces = list(doctree.findall(evidence_html))
    # The callout that links elsewhere is resolved by Sphinx after the resolve stage: it stays nodes,
    # and so do the card inside a list item (a list changes how its paragraphs are written).
    linked = [ref for ref in doctree.findall(nodes.reference) if ref.get("refid") == "edges-top"
              or "index" in ref.get("refuri", "")]
    assert linked and not any(isinstance(p, evidence_html) for ref in linked for p in _ancestors(ref))
    cards = [n for n in doctree.findall(nodes.container) if "evidence-grade-card" in n["classes"]]
    assert len(cards) == 1 and isinstance(cards[0].parent, nodes.list_item)
    # The other callout, the citations (the one in the title too) and the reference list are written.
    assert any("No cross-reference here" in p["html"] for p in pieces)
    assert any('class="evidence-references' in p["html"] or "evidence-entry" in p["html"] for p in pieces)
    title = next(iter(doctree.findall(nodes.title)))
    assert any(isinstance(child, evidence_html) for child in title.children)
    assert title.astext() == next(iter(apps[False].env.get_and_resolve_doctree(
        "edges", apps[False].builder, tags=apps[False].tags).findall(nodes.title))).astext()


def _ancestors(node: nodes.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name


class _Config:
    evidence_html_prerender = True


@pytest.mark.parametrize(("name", "parallel", "expected"), [
    ("html", 0, True), ("dirhtml", 1, True), ("html", 2, False), ("singlehtml", 0, False),
    ("epub", 0, False), ("latex", 0, False), ("text", 0, False), ("json", 0, False),
])
def test_which_builds_write_early(name, parallel, expected):
    assert wanted(_Builder(name), _Config(), parallel) is expected


def test_switched_off_nothing_is_written_early(make_app, project, tmp_path):
    apps = build_both(make_app, project("grade"), tmp_path)
    assert html_nodes(apps[True], "stroke")
    assert not html_nodes(apps[False], "stroke")
