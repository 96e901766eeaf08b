"""In Chromium, every theme: a seven-column summary of findings keeps to an A4 page, words in table cells are
not cut mid-word on paper, and a regulatory table keeps "Drugs@FDA" and dates whole on screen and paper."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import browser
import pytest
from test_print import A4_TEXT_WIDTH

ROOT = Path(__file__).parent / "roots" / "test-print-tables"

FITS = r"""
const t = document.querySelector('table.evidence-sof-table'), r = t.getBoundingClientRect();
return {vw: document.documentElement.clientWidth, page: document.documentElement.scrollWidth,
        left: r.left, right: r.right, columns: t.tHead.rows[0].cells.length};
"""

# Words (or tokens) of a table that take more than one line: a word cut in two.
CUT = r"""
const [selector, pattern] = arguments;
const cut = [];
for (const box of document.querySelectorAll(selector)) {
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    for (const m of node.textContent.matchAll(new RegExp(pattern, 'g'))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (new Set([...range.getClientRects()].map(x => Math.round(x.top))).size > 1) cut.push(m[0]);
    }
  }
}
return cut;
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("print-tables")
    built: dict[str, Path] = {}
    for theme in browser.THEMES:
        if not browser.theme_installed(theme):
            continue
        subprocess.run([sys.executable, "-m", "sphinx", "-q", "-E", "-b", "html", "-D", f"html_theme={theme}",
                        str(ROOT), str(out / theme)], check=True, capture_output=True)
        built[theme] = out / theme
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    return built


@pytest.mark.skipif(not browser.available(), reason="needs chromium, chromedriver and selenium")
def test_seven_columns_fit_a4_and_words_stay_whole_on_paper(sites) -> None:
    root = next(iter(sites.values())).parent
    with browser.serve(root) as base, browser.chromium(A4_TEXT_WIDTH, 1000) as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        for theme in sites:
            driver.get(f"{base}{theme}/index.html")
            fit = driver.execute_script(FITS)
            assert fit["columns"] == 7, theme
            assert fit["left"] >= -1 and fit["right"] <= fit["vw"] + 1 and fit["page"] <= fit["vw"], (theme, fit)
            words = r"[A-Za-z][a-z]{5,}"  # Moderate, Cerebrolysin, Functional, …
            assert driver.execute_script(CUT, "table.evidence-sof-table td", words) == [], theme


@pytest.mark.skipif(not browser.available(), reason="needs chromium, chromedriver and selenium")
@pytest.mark.parametrize(("width", "media"), [(1280, "screen"), (375, "screen"), (A4_TEXT_WIDTH, "print")])
def test_regulatory_dates_and_drugs_at_fda_stay_whole(sites, width: int, media: str) -> None:
    root = next(iter(sites.values())).parent
    with browser.serve(root) as base, browser.chromium(width, 1000) as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
        for theme in sites:
            driver.get(f"{base}{theme}/regulatory.html")
            tokens = r"Drugs@FDA|\d{4}-\d{2}-\d{2}"
            assert driver.execute_script(CUT, ".evidence-regulatory", tokens) == [], (theme, width, media)
