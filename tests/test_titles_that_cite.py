"""A title that cites is named in words, without a stray space, by :ref:, :doc: and the contents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import read

INDEX = """.. _page-a:

Page A :pmid:`22282884`
=======================

.. toctree::

   other

.. _sub-a:

Sub A :pmid:`22282884`
----------------------

.. _sub-b:

Sub :pmid:`22282884` B
----------------------

Text.
"""
OTHER = "Other\n=====\n\nSee :ref:`page-a`, :ref:`sub-a`, :ref:`sub-b`, :doc:`index`, :ref:`Custom <sub-a>`.\n"


@pytest.mark.parametrize("builder", ["html", "text"])
def test_references_to_a_title_that_cites(make_app, tmp_path: Path, builder: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_email = 'x@example.org'\n"
                                 "evidence_offline = True\nevidence_status_max_age_days = None\n", encoding="utf-8")
    (src / "index.rst").write_text(INDEX, encoding="utf-8")
    (src / "other.rst").write_text(OTHER, encoding="utf-8")
    app = make_app(builder, srcdir=src, freshenv=True)
    app.build()
    other = read(app, f"other.{'html' if builder == 'html' else 'txt'}")
    text = " ".join(re.sub(r"<[^>]+>", "", other).split())
    assert "See Page A, Sub A, Sub B, Page A, Custom." in text
    if builder == "html":
        index = read(app, "index.html")
        assert re.search(r"<h1>Page A <span class=\"evidence-cite", index)  # the title itself still cites
