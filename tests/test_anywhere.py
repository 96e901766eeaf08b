"""Citations anywhere: headings, contents, captions, only blocks, notes, substitutions, glossaries,
footnotes and tables — in every builder, with no crash, no dead link and a warning where a role cannot work."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import read, warnings


def _dead_links(html: str) -> list[str]:
    ids = set(re.findall(r'id="([^"]+)"', html))
    return [ref for ref in re.findall(r'href="#([^"]+)"', html) if ref and ref not in ids]


@pytest.mark.sphinx("html", testroot="anywhere", freshenv=True)
def test_html(app) -> None:
    app.build()
    warned = warnings(app)
    assert "Traceback" not in warned and "ERROR" not in warned
    assert "index.rst:6: WARNING: toctree caption" in warned and "[evidence.unparsed-role]" in warned
    assert "other.rst:8: WARNING:" in warned and "[evidence.hidden-references]" in warned
    html = read(app, "index.html")
    assert _dead_links(html) == [] and _dead_links(read(app, "other.html")) == []
    body = re.sub(r"<[^>]+>", "", html[html.index("<body"):])
    assert "Heading citing [1]" in body  # the heading keeps its citation …
    contents = html[html.index('class="contents'):]
    contents = contents[:contents.index("</nav>") if "</nav>" in contents else contents.index("</div>")]
    assert "[1]" not in re.sub(r"<[^>]+>", "", contents)  # … its copy in the contents list does not
    for text in ("A note [2]", "a substitution [3]", "A definition [2]", "Its text [2]", "Sub-heading [2]"):
        assert text in body, text
    assert "Only in LaTeX" not in body
    # The LaTeX-only citation is not numbered in HTML: three works, three entries.
    assert len(re.findall(r'class="evidence-entry', html)) == 3
    assert "References" in read(app, "other.html")


@pytest.mark.parametrize("builder", ["latex", "text", "epub", "singlehtml", "man", "texinfo"])
def test_other_builders(make_app, rootdir, tmp_path, builder) -> None:
    import shutil

    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-anywhere", src)
    app = make_app(builder, srcdir=src, freshenv=True)
    app.build()
    warned = warnings(app)
    assert "Traceback" not in warned and "ERROR" not in warned
    if builder == "latex":
        tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
        assert "Only in LaTeX" in tex and "hidden-references" not in warned
    if builder == "epub":
        for page in Path(app.outdir).glob("*.xhtml"):
            ET.fromstring(page.read_bytes())  # well-formed XHTML, JSON-LD included


@pytest.mark.sphinx("html", testroot="anywhere", freshenv=True, parallel=2)
def test_parallel_equals_serial(app, make_app, rootdir, tmp_path) -> None:
    import shutil

    app.build()
    src = tmp_path / "serial"
    shutil.copytree(rootdir / "test-anywhere", src)
    serial = make_app("html", srcdir=src, freshenv=True)
    serial.build()
    for name in ("index.html", "other.html"):
        assert read(app, name) == read(serial, name)
