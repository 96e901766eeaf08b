"""An entry whose record has no date reads as each style writes an unknown date, with no stray separator."""

from __future__ import annotations

from test_styles import text

from sphinxext_evidence.citations.styles import resolve_style
from sphinxext_evidence.records.model import Article


def test_an_entry_without_a_date_has_no_stray_separator() -> None:
    record = {"id": "pmid:1", "type": "article-journal", "title": "T", "container-title-short": "Stroke",
              "volume": "47", "issue": "1", "page": "151-159", "author": [{"family": "Smith", "given": "A"}]}
    article = Article.from_csl("pmid:1", record)
    shown = {name: text(resolve_style(name)[0].entry(article)) for name in ("vancouver", "ama", "apa")}
    assert shown["vancouver"] == "Smith A. T. Stroke. [date unknown];47(1):151-9."
    assert shown["ama"] == "Smith A. T. Stroke. 47(1):151-159."
    assert ". ;" not in shown["apa"] and "(n.d.)" in shown["apa"]
