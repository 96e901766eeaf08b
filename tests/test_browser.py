"""The example site in a real browser (headless Chromium), alabaster theme.

Clicking a citation number reaches its reference and the back-link returns;
the summary and regulatory tables stack on a phone; the evidence index sorts;
the light, dark and automatic palettes switch.  How every component looks in
five themes, at two widths, light and dark, is measured in ``test_themes.py``;
print and PDF in ``test_print.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import browser
import pytest
from helpers import build_example_site

pytestmark = pytest.mark.skipif(not browser.available(), reason="needs chromium, chromedriver and selenium "
                                "(installed by .ci/setup-browser)")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The example site built offline from its lockfile, served on loopback."""
    out = build_example_site(tmp_path_factory.mktemp("example"))
    with browser.serve(out) as base:
        yield base, out


IN_VIEW = """
const el = arguments[0];
const r = el.getBoundingClientRect();
return r.top >= -1 && r.top < window.innerHeight && r.height > 0;
"""

def test_citation_round_trip(site):
    from selenium.webdriver.common.by import By

    base, _ = site
    with browser.chromium(1280, 900) as driver:
        driver.get(base + "cerebrolysin-review.html")
        link = driver.find_element(By.CSS_SELECTOR, ".evidence-cite a")
        number = link.text
        target = link.get_attribute("href").split("#", 1)[1]
        link.click()
        assert driver.execute_script("return location.hash") == f"#{target}"
        entry = driver.find_element(By.ID, target)
        assert driver.execute_script(IN_VIEW, entry)
        # The entry is the right one: its position in the list is the number clicked.
        position = driver.execute_script(
            "const li = arguments[0]; return Array.from(li.parentElement.children).indexOf(li) + 1;", entry)
        assert str(position) == number
        back = entry.find_element(By.CSS_SELECTOR, ".evidence-backlinks a")
        anchor = back.get_attribute("href").split("#", 1)[1]
        back.click()
        assert driver.execute_script("return location.hash") == f"#{anchor}"
        assert driver.execute_script(IN_VIEW, driver.find_element(By.ID, anchor))


WORD_LINES = """
const dt = Array.from(document.querySelectorAll('.evidence-sof-info dt'))
  .find(d => d.textContent.includes(arguments[0]));
const walker = document.createTreeWalker(dt, NodeFilter.SHOW_TEXT);
let node; while ((node = walker.nextNode()) && !node.data.includes(arguments[0])) {}
const range = document.createRange(); const at = node.data.indexOf(arguments[0]);
range.setStart(node, at); range.setEnd(node, at + arguments[0].length);
return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
"""


def test_sof_labels_are_not_broken_mid_word_on_a_phone(tmp_path):
    """Sphinx's default theme: 'Patient or population:' may wrap between words, never inside one."""
    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_offline = True\n")
    (src / "index.rst").write_text(
        "T\n=\n\n.. certainty-table:: Cerebrolysin compared with placebo for acute ischaemic stroke\n"
        "   :population: Adults with acute ischaemic stroke\n   :intervention: Cerebrolysin\n"
        "   :comparison: Placebo\n\n   .. evidence-grade:: All-cause death\n      :certainty: moderate\n"
        "      :effect: little-or-no\n      :studies: 6 RCTs\n      :downgrade: imprecision -1 wide CI\n",
        encoding="utf-8")
    out = tmp_path / "html"
    assert build_main(["-q", "-b", "html", str(src), str(out)]) == 0
    with browser.chromium(375, 900) as driver:
        driver.get((out / "index.html").as_uri())
        for word in ("population", "Intervention", "Comparison"):
            assert driver.execute_script(WORD_LINES, word) == 1, f"{word!r} is broken across lines at 375px"


STACKED = {  # table -> (page, what a phone shows in it)
    ".evidence-sof-table": ("cerebrolysin-review.html", "Relative effect (95% CI): RR 0.96"),
    ".evidence-regulatory": ("cerebrolysin-review.html", "Status: Not approved"),
    ".evidence-index-table": ("evidence-index.html", "Certainty: ⊕⊕⊕⊝ Moderate"),
}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("table", list(STACKED))
def test_wide_tables_stack_on_a_phone(site, width, table):
    from selenium.webdriver.common.by import By

    base, _ = site
    page, expected = STACKED[table]
    with browser.chromium(width, 900) as driver:
        driver.get(base + page)
        box = driver.find_element(By.CSS_SELECTOR, table).find_element(By.XPATH, "..")
        overflow = driver.execute_script("return arguments[0].scrollWidth - arguments[0].clientWidth", box)
        assert overflow <= 1, f"{table} scrolls sideways at {width}px"
        labels = driver.find_elements(By.CSS_SELECTOR, f"{table} .evidence-cell-label")
        assert labels
        shown = [label.is_displayed() for label in labels]
        # On a phone every value carries its column name; on a desktop the header row does that.
        assert all(shown) if width == 375 else not any(shown)
        if width == 375:
            assert expected in driver.find_element(By.CSS_SELECTOR, table).text


def test_evidence_index_sorts_by_certainty_in_the_browser(site):
    from selenium.webdriver.common.by import By

    base, _ = site
    with browser.chromium(1280, 900) as driver:
        driver.get(base + "evidence-index.html")
        table = driver.find_element(By.CSS_SELECTOR, ".evidence-index-table")
        headers = table.find_elements(By.CSS_SELECTOR, "thead th")
        column = [h.text for h in headers].index("Certainty")
        button = headers[column].find_element(By.CSS_SELECTOR, "button.evidence-sort-button")

        def certainties() -> list[str]:
            rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
            cells = [r.find_elements(By.TAG_NAME, "td")[column] for r in rows]
            return [c.find_element(By.CSS_SELECTOR, ".evidence-certainty-label").text for c in cells]

        order = {"Very low": 0, "Low": 1, "Moderate": 2, "High": 3}
        button.click()
        ascending = certainties()
        assert headers[column].get_attribute("aria-sort") == "ascending"
        assert [order[c] for c in ascending] == sorted(order[c] for c in ascending)
        button.click()
        assert headers[column].get_attribute("aria-sort") == "descending"
        assert [order[c] for c in certainties()] == sorted((order[c] for c in ascending), reverse=True)
        assert len(set(ascending)) > 1  # the example has grades of different certainty


COLOUR = """
const badge = document.querySelector('.evidence-badge-status-not-approved');
const box = document.querySelector('.evidence-bottom-line');
return [getComputedStyle(badge).backgroundColor, box ? getComputedStyle(box).backgroundColor : ''];
"""


def test_light_dark_and_auto_palettes(site) -> None:
    """Each colour is written once with its light and dark value; the theme's data-theme picks the set."""
    base, _ = site
    with browser.chromium() as driver:
        driver.get(base + "cerebrolysin-review.html")
        light = driver.execute_script(COLOUR)
        driver.execute_script("document.body.dataset.theme = 'dark'")
        dark = driver.execute_script(COLOUR)
        driver.execute_script("delete document.body.dataset.theme; document.documentElement.dataset.theme = 'dark'")
        html_dark = driver.execute_script(COLOUR)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        driver.execute_script("delete document.documentElement.dataset.theme; document.body.dataset.theme = 'auto'")
        auto_dark = driver.execute_script(COLOUR)
        driver.execute_script("delete document.body.dataset.theme")  # alabaster: no dark mode
        no_theme = driver.execute_script(COLOUR)
    assert light[0] == "rgb(253, 236, 234)"  # #fdecea
    assert dark[0] == html_dark[0] == auto_dark[0] == "rgb(58, 23, 23)"  # #3a1717
    assert light[1] != dark[1] and dark[1] == auto_dark[1]
    assert no_theme == light  # a theme without a dark mode keeps the light set whatever the system says
