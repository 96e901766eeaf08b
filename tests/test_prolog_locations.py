"""Citations in rst_prolog and rst_epilog are warned about at the page they appear on, not at '<rst_epilogue>'."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import warnings

from sphinxext_evidence.located import on_the_page

PAGE = "Page\n====\n\nText :pmid:`22282884`.\n"


def test_prolog_and_epilog_lines_are_the_pages(make_app, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "extensions = ['sphinxext_evidence']\nevidence_email = 'x@example.org'\nevidence_offline = True\n"
        "evidence_status_max_age_days = None\n"
        "rst_prolog = '.. |p| replace:: x\\n'\n"
        "rst_epilog = '\\n\\nCited in every page :pmid:`11111111`, and :pmid:`12x`.\\n'\n", encoding="utf-8")
    (src / "index.rst").write_text(PAGE + "\n.. toctree::\n\n   other\n", encoding="utf-8")
    (src / "other.rst").write_text(PAGE, encoding="utf-8")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    warned = warnings(app)
    assert "rst_epilogue" not in warned and "rst_prologue" not in warned
    for page, lines in (("index", 8), ("other", 4)):
        path = re.escape(str(src / f"{page}.rst"))
        assert re.search(rf"^{path}:{lines + 3}: WARNING: invalid PMID '12x'.*\[evidence\.invalid-pmid\]$", warned,
                         re.MULTILINE), warned
        assert re.search(rf"^{path}:{lines + 3}: WARNING: PMID 11111111 has no record.*\[evidence\.missing\]$",
                         warned, re.MULTILINE), warned


class _Env:
    docname = "a"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def doc2path(self, docname: str) -> Path:
        return self.folder / f"{docname}.rst"


def test_on_the_page(tmp_path: Path) -> None:
    (tmp_path / "a.rst").write_text("one\ntwo\n", encoding="utf-8")
    env = _Env(tmp_path)
    page = str(tmp_path / "a.rst")
    assert on_the_page(env, "<rst_prologue>", 2) == (page, 2)
    assert on_the_page(env, "<rst_epilogue>", 2) == (page, 4)
    assert on_the_page(env, "/x/a.rst", 7) == ("/x/a.rst", 7)
    assert on_the_page(None, "<rst_epilogue>", 2) == ("<rst_epilogue>", 2)
