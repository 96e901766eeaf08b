"""Screenshots of the example site in five HTML themes, and the gallery page that shows them.

Run from the repository root, with the themes, Chromium and chromedriver installed
(``pip install -e '.[docs,test]'`` and ``bash .ci/setup-browser``)::

    .venv/bin/python docs/_tools/make_gallery.py

It builds ``example_site/`` offline once per theme, opens the review page in
headless Chromium at 1280 and 375 CSS pixels, and saves the summary-of-findings
table with the lines that head it as
``docs/_static/gallery/<theme>-<width>.png``; then it writes ``docs/gallery.rst``.
The same browser set-up and builds as the theme tests (``tests/browser.py``).
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import browser  # noqa: E402

OUT = ROOT / "docs" / "_static" / "gallery"
PAGE = ROOT / "docs" / "gallery.rst"
WIDTHS = (1280, 375)
#: theme module -> (name shown, package to install)
NAMES = {
    "alabaster": ("Alabaster", "alabaster (comes with Sphinx)"),
    "furo": ("Furo", "furo"),
    "sphinx_rtd_theme": ("Read the Docs", "sphinx-rtd-theme"),
    "pydata_sphinx_theme": ("PyData", "pydata-sphinx-theme"),
    "sphinx_book_theme": ("Sphinx Book", "sphinx-book-theme"),
}
#: What is shown: the summary table's block, from the lines that head it to the end of the table.
FIRST, LAST = "div.evidence-sof", "div.evidence-sof-scroll"
REGION = """
const top = document.querySelector(arguments[0]).getBoundingClientRect();
const end = document.querySelector(arguments[1]).getBoundingClientRect();
const x = Math.max(0, Math.min(top.left, end.left) - 16);
return {x, y: top.top + scrollY - 16, width: Math.min(document.documentElement.clientWidth - x, top.width + 32),
        height: end.bottom - top.top + 32};
"""

INTRO = """\
Gallery
=======

The same part of the example site's review page, a GRADE summary-of-findings
table, in five Sphinx themes: on a desktop (1280 pixels wide) and on a phone
(375 pixels), where the table becomes one block per row with each value
labelled.

The only setting that changes between the pictures is ``html_theme``: the
extension's stylesheet adapts to each theme, with no configuration. Themes
with a dark mode (Furo, PyData, Sphinx Book) get the extension's dark colours
when the reader switches to it, and every theme prints the tables within the
page.

The pictures are made by ``docs/_tools/make_gallery.py`` from the example
site, with the same headless Chromium the tests use.
"""


def shoot(driver: object, url: str, width: int, path: Path) -> None:
    """Save the region from :data:`FIRST` to :data:`LAST` of the page at ``url`` as a PNG."""
    driver.get(url)  # type: ignore[attr-defined]
    clip = driver.execute_script(REGION, FIRST, LAST)  # type: ignore[attr-defined]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {  # type: ignore[attr-defined]
        "format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def page(themes: list[str]) -> str:
    """The gallery page for the themes that were photographed."""
    parts = [INTRO]
    for theme in themes:
        name, package = NAMES[theme]
        parts.append(f"{name}\n{'-' * len(name)}\n\n``html_theme = \"{theme}\"``, package {package}.\n")
        for width in WIDTHS:
            parts.append(f".. figure:: _static/gallery/{theme}-{width}.png\n"
                         f"   :alt: The summary-of-findings table in the {name} theme, {width} pixels wide\n\n"
                         f"   {name}, {width} pixels wide.\n")
    return "\n".join(parts)


def main() -> int:
    """Build, photograph, write the page."""
    themes = [theme for theme in NAMES if browser.theme_installed(theme)]
    missing = sorted(set(NAMES) - set(themes))
    if missing or not browser.available():
        print(f"install the themes and the browser first (missing: {', '.join(missing) or 'chromium'})")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        sites = browser.build_example(Path(work), {t: ("-b", "html", "-D", f"html_theme={t}") for t in themes})
        with browser.serve(Path(work)) as base:
            for width in WIDTHS:
                with browser.chromium(width, 900) as driver:
                    for theme in themes:
                        shoot(driver, f"{base}{sites[theme].name}/cerebrolysin-review.html", width,
                              OUT / f"{theme}-{width}.png")
    PAGE.write_text(page(themes), encoding="utf-8")
    print(f"wrote {len(themes) * len(WIDTHS)} pictures to {OUT.relative_to(ROOT)} and {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
