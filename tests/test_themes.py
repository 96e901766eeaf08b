"""The extension's components in five HTML themes, on a desktop and a phone, light and dark, in Chromium.

The example site is built once per theme (alabaster, furo, sphinx_rtd_theme,
pydata-sphinx-theme, sphinx-book-theme); each page is loaded at 1280 px and
375 px, and again in the theme's dark mode where it has one, and measured with
one script (``browser.MEASURE``): where each component and the box that clips
it sit, the font size of every piece of text, the padding of cards and
callouts, the contrast of rendered colours, words broken across lines, and
the drawn size of the GRADE symbols.  The tests below only read those numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import browser
import pytest

from sphinxext_evidence.grade.levels import EMPTY, FILLED

pytestmark = pytest.mark.skipif(not browser.available(), reason="needs chromium, chromedriver and selenium "
                                "(installed by .ci/setup-browser)")

PAGES = ("cerebrolysin-review.html", "cerebrolysin-guide.html", "evidence-index.html")
WIDTHS = (1280, 375)
THEMES = tuple(browser.THEMES)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, int, str, str], Any]]:
    """Every page in every installed theme at both widths, light and (where the theme has it) dark."""
    sites = browser.example_builds(tmp_path_factory)
    results: dict[tuple[str, int, str, str], Any] = {}
    with browser.serve(next(iter(sites.values())).parent) as base:
        for width in WIDTHS:
            with browser.chromium(width, 900) as driver:
                for theme in (t for t in THEMES if t in sites):
                    for page in PAGES:
                        driver.get(f"{base}{theme}/{page}")
                        results[theme, width, "light", page] = browser.measure(driver)
                        if browser.THEMES[theme]:
                            browser.go_dark(driver, theme)
                            results[theme, width, "dark", page] = browser.measure(driver)
    yield results


def views(measured: dict, theme: str, width: int | None = None) -> list[tuple[str, Any]]:
    """The measurements of one theme (at one width), labelled for messages; skips a theme that is not installed."""
    found = [(f"{t} {w}px {mode} {page}", m) for (t, w, mode, page), m in measured.items()
             if t == theme and width in (None, w)]
    if not found:
        pytest.skip(f"{theme} is not installed (the test extra installs it)")
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
def test_nothing_is_cut_off_or_off_screen(measured, theme, width):
    """Each component is on screen, or scrolls inside a visible scroll box of its own; nothing is clipped."""
    for view, m in views(measured, theme, width):
        for c in m["components"]:
            box = c["box"]
            where = f"{view}: {c['tag']}.{c['name']} spans {c['left']:.0f}-{c['right']:.0f}, box {box}"
            wider_than_box = box is not None and c["right"] > box["right"] + 1
            if wider_than_box:
                assert box["overflow"] in ("auto", "scroll"), f"clipped: {where}"
            if c["left"] < -1 or c["right"] > m["vw"] + 1:
                assert box is not None and box["overflow"] in ("auto", "scroll"), f"off screen: {where}"
                assert box["left"] >= -1 and box["right"] <= m["vw"] + 1, f"scroll box off screen: {where}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
def test_tables_fit_on_a_desktop_and_stack_on_a_phone(measured, theme, width):
    """1280 px: a table fits its column, or all but scrolls in it.  375 px: every table is one block per row.

    Fonts differ from machine to machine (a wide fallback for alabaster's Georgia makes its six-column
    tables a few per cent wider than its 660 px column), so on a desktop a table may be up to a tenth
    wider than its box and scroll there; a table that ignores its column (rtd's unwrapped cells made
    the summary table 1,498 px wide in 696 px) does not pass.
    """
    for view, m in views(measured, theme, width):
        tables = [c for c in m["components"] if c["tag"] == "table"]
        for c in tables:
            box = c["box"] or {"left": 0, "right": m["vw"]}
            assert c["width"] <= 1.1 * (box["right"] - box["left"]), f"{view}: {c}"
            assert (c["display"] == "block") == (width == 375), f"{view}: {c['name']} display {c['display']}"
            if width == 375:
                assert c["right"] <= m["vw"] + 1 and not (c["box"] and c["box"]["scrolls"]), f"{view}: {c}"
        if "review" in view or "index" in view:
            assert tables, view


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
def test_text_is_never_smaller_than_the_body_text(measured, theme, width):
    """No text in a component (footnote marks aside) is smaller than the theme's body text."""
    for view, m in views(measured, theme, width):
        small = sorted({(name, size) for name, size in m["fonts"] if size < m["bodySize"] - 0.5})
        assert small == [], f"{view}: body {m['bodySize']}px, smaller: {small}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
def test_labels_and_column_heads_break_between_words_only(measured, theme, width):
    """Column heads, field labels, status badges, dates and "Drugs@FDA" never break inside a word."""
    for view, m in views(measured, theme, width):
        assert m["words"] == [], f"{view}: broken inside: {m['words']}"


@pytest.mark.parametrize("theme", THEMES)
def test_grade_symbols_are_drawn_at_one_size(measured, theme):
    """⊕ and ⊝ come out the same size (ink and advance within 10 %), in every theme."""
    for view, m in views(measured, theme):
        assert m["symbols"] or "guide" in view, view
        for glyphs in m["symbols"]:
            assert set(glyphs) <= {FILLED, EMPTY}, glyphs
            for key, index in (("ink", 0), ("ink", 1), ("advance", None)):
                sizes = [g[key][index] if index is not None else g[key] for g in glyphs.values()]
                assert max(sizes) <= 1.1 * min(sizes), f"{view}: {key} {glyphs}"


@pytest.mark.parametrize("theme", THEMES)
def test_cards_and_callouts_have_inner_padding(measured, theme):
    """Themes that take the padding off every container (furo, pydata, book) do not take it off these."""
    for view, m in views(measured, theme):
        for name, top, right, bottom, left in m["padding"]:
            assert min(top, bottom) >= 6 and min(left, right) >= 8, f"{view}: {name} padding {top, right, bottom, left}"


@pytest.mark.parametrize("theme", THEMES)
def test_badges_and_statuses_meet_wcag_aa_in_light_and_dark(measured, theme):
    """Rendered colours (not the stylesheet's variables) give 4.5:1 or more; every badge has words."""
    for view, m in views(measured, theme):
        assert m["dark"] == (" dark " in view), f"{view}: the page did not turn {'dark' if m['dark'] else 'light'}"
        low = [c for c in m["contrast"] if c[2] < 4.5]
        assert low == [], f"{view}: {low}"
        assert all(text for name, text, _ in m["contrast"] if "badge" in name), view


def test_epub_labels_have_one_colon_and_matched_symbols(tmp_path_factory):
    """EPUB's own stylesheet adds a colon after field names; the extension's field lists do not get a second."""
    sites = browser.example_builds(tmp_path_factory)
    with browser.serve(sites["epub"].parent) as base, browser.chromium(800, 900) as driver:
        driver.get(f"{base}epub/cerebrolysin-review.xhtml")
        labels = driver.execute_script(
            "return [...document.querySelectorAll('dl.evidence-card-fields > dt, dl.evidence-sof-info > dt')]"
            ".map(dt => dt.textContent + (getComputedStyle(dt, '::after').content.replace(/^none$|^normal$/, '')"
            ".replace(/\"/g, '')))")
        m = browser.measure(driver)
    assert "Design:" in labels and "Patient or population:" in labels
    assert not [label for label in labels if label.count(":") != 1], labels
    for glyphs in m["symbols"]:
        inks = [g["ink"][1] for g in glyphs.values()]
        assert max(inks) <= 1.1 * min(inks), glyphs
