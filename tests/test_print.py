"""On paper: the print stylesheet in Chromium (every theme, A4), and the PDF the LaTeX builder makes.

Print: tables keep to the page's width with every column, their head row
repeats on each page and stays with the rows below it, rows are not split,
links print where they go, and nothing that only works on a screen (sort
arrows, back-links, "show all authors") is printed.  The print rules come last
in the stylesheet; what is checked here is the computed result, so a later
rule that undid one of them would fail.

PDF: no undefined reference, cards framed, the GRADE symbols as a row of
ordinary symbols, back-links as page numbers, the summary-of-findings table
within the text width, and its head never alone at the foot of a page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import browser
import pytest

ROOT = Path(__file__).resolve().parent.parent
A4_TEXT_WIDTH = 717  # CSS px: 210 mm less Chromium's default 10 mm margins, at 96 px per inch
PAGES = ("cerebrolysin-review.html", "evidence-index.html")

PRINTED = r"""
const out = {vw: document.documentElement.clientWidth, tables: [], boxes: [], hidden: [], buttons: [], links: [],
             badges: []};
const style = (e, pseudo) => getComputedStyle(e, pseudo || null);
for (const t of document.querySelectorAll('table.evidence-table')) {
  const r = t.getBoundingClientRect(), row = t.tBodies[0].rows[0];
  out.tables.push({name: t.className.split(' ')[0], left: r.left, right: r.right, head: style(t.tHead).display,
                   headBreak: style(t.tHead).breakAfter, rowBreak: style(row).breakInside,
                   captionBreak: t.caption ? style(t.caption).breakAfter : 'avoid'});
}
const boxes = '.evidence-index, .evidence-regulatory-block, .evidence-sof-scroll';
for (const b of document.querySelectorAll(`${boxes}, :is(${boxes}) > div`))
  out.boxes.push([String(b.className).split(' ')[0], style(b).overflowX]);
for (const e of document.querySelectorAll('.evidence-backlinks, .evidence-card-authors'))
  out.hidden.push([e.className, style(e).display]);
for (const b of document.querySelectorAll('.evidence-sort-button'))
  out.buttons.push([style(b, '::after').display, style(b).borderTopStyle, style(b).backgroundColor]);
for (const a of document.querySelectorAll('a.evidence-fda-source')) out.links.push(style(a, '::after').content);
for (const e of document.querySelectorAll('.evidence-badge'))
  out.badges.push([style(e).color, style(e).backgroundColor]);
return out;
"""


@pytest.mark.skipif(not browser.available(), reason="needs chromium, chromedriver and selenium")
@pytest.mark.parametrize("theme", tuple(browser.THEMES))
def test_print_stylesheet_in_every_theme(tmp_path_factory, theme):
    sites = browser.example_builds(tmp_path_factory)
    if theme not in sites:
        pytest.skip(f"{theme} is not installed (the test extra installs it)")
    with browser.serve(sites[theme].parent) as base, browser.chromium(A4_TEXT_WIDTH, 1000) as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        printed = {}
        for page in PAGES:
            driver.get(f"{base}{theme}/{page}")
            printed[page] = driver.execute_script(PRINTED)
    for page, p in printed.items():
        assert p["tables"], page
        for t in p["tables"]:
            # Every column on the page: no table runs past the right margin (the browser would shrink the page).
            assert t["left"] >= -1 and t["right"] <= p["vw"] + 1, (page, t)
            assert (t["head"], t["headBreak"], t["rowBreak"], t["captionBreak"]) == (
                "table-header-group", "avoid", "avoid", "avoid"), (page, t)
        assert {overflow for _, overflow in p["boxes"]} == {"visible"}, (page, p["boxes"])
        assert all(display == "none" for _, display in p["hidden"]), (page, p["hidden"])
        assert all(b == ["none", "none", "rgba(0, 0, 0, 0)"] for b in p["buttons"]), (page, p["buttons"])
        assert all(c == "rgb(0, 0, 0)" and bg == "rgb(255, 255, 255)" for c, bg in p["badges"]), (page, p["badges"])
    review = printed["cerebrolysin-review.html"]
    assert review["hidden"] and review["links"]
    assert all("https://www.accessdata.fda.gov/" in content for content in review["links"]), review["links"]
    assert printed["evidence-index.html"]["buttons"], "the sort script did not run"


# --- PDF ----------------------------------------------------------------------------------------

needs_tex = pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdflatex") is None,
                               reason="needs TeX (installed by .ci/setup-latex)")


def make_pdf(src: Path, out: Path) -> tuple[str, str, str]:
    """Build ``src`` with the LaTeX builder and pdflatex; return the .tex, the .log and the .aux text."""
    result = subprocess.run([sys.executable, "-m", "sphinx", "-M", "latexpdf", str(src), str(out), "-q",
                             "-D", "evidence_offline=1", "-D", "latex_engine=pdflatex"],
                            capture_output=True, text=True, check=False, timeout=900,
                            env={**os.environ, "SPHINX_EVIDENCE_OFFLINE": "1",
                                 "LATEXMKOPTS": "-interaction=nonstopmode"})
    latex = out / "latex"
    tex = next(latex.glob("*.tex"))
    log = tex.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:] + log[-3000:]
    return tex.read_text(encoding="utf-8"), log, tex.with_suffix(".aux").read_text(encoding="utf-8", errors="replace")


def label_pages(aux: str) -> dict[str, str]:
    """Each label's page, from the .aux file: ``\\newlabel{name}{{number}{page}...}``."""
    return dict(re.findall(r"\\newlabel\{([^}]*)\}\{\{[^}]*\}\{([^}]*)\}", aux))


def heads_alone(aux: str) -> list[str]:
    """Summary tables whose head (population ..., caption, column heads) is not on the page of their first row."""
    pages = label_pages(aux)
    return [name for name, page in pages.items()
            if name.endswith("-sof") and not pages.get(f"{name}-info") == page == pages.get(name[:-4])]


@needs_tex
def test_example_site_pdf(tmp_path):
    tex, log, aux = make_pdf(ROOT / "example_site", tmp_path / "out")
    warnings = re.findall(r"LaTeX Warning: .*", log)
    assert not [w for w in warnings if "undefined" in w.lower()], warnings
    assert "There were undefined references" not in log
    too_wide = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(too_wide, default=0) < 1, too_wide
    # Cards framed (the package defines a frame for these classes), callouts boxed by Sphinx.
    assert r"\usepackage{sphinxextevidence}" in tex
    assert r"\begin{sphinxuseclass}{evidence-card}" in tex and r"\begin{sphinxuseclass}{evidence-grade-card}" in tex
    assert r"\begin{sphinxadmonition}{note}{Clinical evidence}" in tex and r"\begin{sphinxtopic}" in tex
    # The symbols: ordinary symbols in a row (no operator spacing), a matched pair.
    assert r"\(\mathord{\oplus}\mathord{\oplus}\mathord{\oplus}\mathord{\ominus}\)" in tex
    assert r"\bigcirc" not in tex and r"\oplus\oplus" not in tex
    # Back-links are page numbers, each a link to a place of citation that exists.
    places = re.findall(r"\\evidencebackpage\{\\detokenize\{([^}]*)\}\}", tex)
    assert places and set(places) <= set(label_pages(aux)), sorted(set(places) - set(label_pages(aux)))
    assert r"\(\hookleftarrow\)" not in tex
    # The summary table: its columns add up to no more than the text width; head with its first row.
    specs = re.findall(r"\\begin\{longtable\}\{((?:\\X\{\d+\}\{\d+\})+)\}", tex)
    assert specs
    for spec in specs:
        parts = [(int(a), int(b)) for a, b in re.findall(r"\\X\{(\d+)\}\{(\d+)\}", spec)]
        assert sum(a for a, _ in parts) <= parts[0][1], spec
    assert heads_alone(aux) == []


FILLER = ("Trials of this kind are small, and their results differ from one to the next, which is why the "
          "certainty of the evidence is rated down. ")


@needs_tex
def test_summary_table_head_never_ends_a_page_alone(tmp_path):
    """Tables that start at every height of a page: each one's caption and head share a page with its first row."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_offline = True\n"
                                 "latex_documents = [('index', 'heads.tex', 'Heads', 'Tests', 'howto')]\n")
    parts = ["Heads\n=====\n"]
    for n in range(1, 25):
        parts.append(FILLER * (2 * n) + "\n")
        parts.append(f".. certainty-table:: Table {n}\n   :population: Adults\n   :intervention: A\n"
                     "   :comparison: Placebo\n\n"
                     f"   .. evidence-grade:: Death {n}\n      :certainty: moderate\n      :effect: little-or-no\n"
                     "      :studies: 6 RCTs\n      :downgrade: imprecision -1 wide confidence interval\n\n"
                     f"   .. evidence-grade:: Harm {n}\n      :certainty: low\n      :effect: uncertain\n"
                     "      :studies: 2 RCTs\n      :downgrade: imprecision -2 very few events\n")
    (src / "index.rst").write_text("\n".join(parts), encoding="utf-8")
    _, _, aux = make_pdf(src, tmp_path / "out")
    pages = label_pages(aux)
    assert len([name for name in pages if name.endswith("-sof")]) == 24
    assert len({pages[name] for name in pages if name.endswith("-sof")}) > 10  # spread over many pages
    assert heads_alone(aux) == []
