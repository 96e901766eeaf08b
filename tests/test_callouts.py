"""The bottom-line and evidence-scope callouts and the site-wide disclaimer, in html, latex and text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import read, warnings


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def boxes(html: str, kind: str) -> list[str]:
    """The HTML of each ``evidence-<kind>`` admonition on a page."""
    return re.findall(rf'<div class="evidence-callout evidence-{kind}[^"]*admonition">(.*?)\n</div>\n(?=<div|<ol|<p|<section|</section)',
                      html, re.S)


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True)
def test_bottom_line_html(app):
    app.build()
    html = read(app, "index.html")
    found = boxes(html, "bottom-line")
    assert len(found) == 2
    first, second = found
    assert '<p class="admonition-title">The honest bottom line</p>' in first
    # Certainty as the GRADE badge, words carry the meaning.
    assert "evidence-certainty-moderate" in first and "⊕⊕⊕⊝" in first
    assert "Certainty of the evidence: ⊕⊕⊕⊝ Moderate" in plain(first)
    # Body is ordinary reStructuredText; its citations are numbered with the page's.
    assert "Cerebrolysin probably does not reduce deaths after a stroke [1]" in plain(first)
    assert "the largest trial was neutral [2]" in plain(first)
    assert '<p class="admonition-title">In short</p>' in second and "It does not work." in second
    assert "evidence-certainty" not in second
    assert "sd-shadow-sm" not in html  # sphinx-design is not loaded


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True, confoverrides={
    "evidence_bottom_line_title": "Our verdict", "extensions": ["sphinxext_evidence", "sphinx_design"]})
def test_bottom_line_config_title_and_sphinx_design(app):
    app.build()
    html = read(app, "index.html")
    first, second = boxes(html, "bottom-line")
    assert '<p class="admonition-title">Our verdict</p>' in first
    assert '<p class="admonition-title">In short</p>' in second  # :title: still wins
    assert re.search(r'class="evidence-callout evidence-bottom-line sd-shadow-sm sd-rounded-2 admonition"', html)
    assert "sphinx-design" in html  # its stylesheet is linked
    assert "already registered" not in warnings(app)


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True)
def test_evidence_scope_html_defaults_and_body(app):
    app.build()
    html = read(app, "index.html")
    animal = re.search(r'<div class="evidence-callout evidence-scope evidence-scope-animal admonition">(.*?)</div>', html, re.S)
    assert animal, html
    text = plain(animal.group(1))
    assert "Animal research only" in text
    assert "There is no clinical evidence for this." in text and "should not be read as a benefit in people" in text
    limited = re.search(r'evidence-scope-clinical-limited admonition">(.*?)</div>', html, re.S).group(1)
    assert "Six small trials at high risk of bias [1]." in plain(limited)  # body replaces the standard text
    assert "not enough to support" not in plain(limited)
    # "in vitro" is accepted for in-vitro.
    assert "evidence-scope-in-vitro" in html and "Laboratory research only" in html
    scoped = read(app, "scoped.html")
    assert "evidence-scope-mechanistic" in scoped and "Proposed mechanism only" in scoped
    assert '<p class="admonition-title">What kind of evidence</p>' in scoped
    assert "They show associations, not cause and effect" in scoped
    assert "evidence-scope-clinical" in scoped


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True, confoverrides={"evidence_scope_texts": {
    "animal": "Mice are not people.",
    "mechanistic": {"title": "Theory only", "text": "A plausible story is not evidence."},
    "astrology": "Not a kind of evidence.",
}})
def test_evidence_scope_texts_config(app):
    app.build()
    html = read(app, "index.html")
    animal = re.search(r'evidence-scope-animal admonition">(.*?)</div>', html, re.S).group(1)
    assert "Animal research only" in animal and "Mice are not people." in animal
    assert "There is no clinical evidence" not in animal
    scoped = read(app, "scoped.html")
    assert "Theory only" in scoped and "A plausible story is not evidence." in scoped
    assert "They show associations" in scoped  # untouched kinds keep the standard text
    assert re.search(r"evidence_scope_texts: unknown kind of evidence 'astrology'.*\[evidence\.config\]", warnings(app))


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True)
def test_disclaimer_on_pages_using_the_extension(app):
    app.build()
    disclaimer = '<p class="evidence-disclaimer">Information only; not medical advice. Ask your doctor before acting on it.</p>'
    index = read(app, "index.html")
    assert disclaimer in index
    # At the foot: after the reference list.
    assert index.index(disclaimer) > index.index('class="arabic simple evidence-references"')
    assert disclaimer in read(app, "scoped.html")
    assert "evidence-disclaimer" not in read(app, "plain.html")


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True, confoverrides={"evidence_disclaimer": ""})
def test_no_disclaimer_by_default(app):
    app.build()
    assert "evidence-disclaimer" not in read(app, "index.html")


@pytest.mark.sphinx("latex", testroot="furniture", freshenv=True)
def test_callouts_latex(app):
    app.build()
    tex = read(app, "furniture.tex")
    # The bottom line stands apart from the note-style caveat boxes: a shadowed topic box.
    assert "\\begin{sphinxtopic}\n\\sphinxstyletopictitle{THE HONEST BOTTOM LINE}" in tex
    assert r"\begin{sphinxadmonition}{note}{The honest bottom line}" not in tex
    assert "\\sphinxstyletopictitle{IN SHORT}" in tex
    assert r"\begin{sphinxadmonition}{note}{Animal research only}" in tex
    assert "should not be read as a benefit in people" in tex
    # GRADE symbols drawn as math in LaTeX.
    assert r"\(\mathord{\oplus}\mathord{\oplus}\mathord{\oplus}\mathord{\ominus}\)" in tex
    assert "Information only; not medical advice." in tex
    assert tex.count("Information only; not medical advice.") == 3  # index, scoped, second


@pytest.mark.sphinx("text", testroot="furniture", freshenv=True)
def test_callouts_text(app):
    app.build()
    text = read(app, "index.txt")
    assert "THE HONEST BOTTOM LINE\n^^^^^^^^^^^^^^^^^^^^^^\n\nCertainty of the evidence: ⊕⊕⊕⊝ Moderate\n\nCerebrolysin probably" in text
    assert "IN SHORT\n^^^^^^^^\n\nIt does not work." in text
    assert "Animal research only: There is no clinical evidence for this." in text
    assert "Limited clinical evidence: Six small trials at high risk of bias [1]." in text
    assert text.rstrip().endswith("Information only; not medical advice. Ask your doctor before acting on\nit.")
    assert "Information only" not in read(app, "plain.txt")


@pytest.mark.sphinx("html", testroot="furniture-bad", freshenv=True)
def test_bad_callouts_warn_with_location(app):
    app.build()
    warned = warnings(app)
    expected = [
        (4, "unknown-option", "bottom-line: unknown option :colour:"),
        (4, "invalid-certainty", "bottom-line: invalid :certainty: 'probably' (allowed: high, moderate, low, very-low)"),
        (10, "empty", "bottom-line: option :title: is empty"),
        (10, "empty", "bottom-line: the callout has no text"),
        (13, "invalid-scope", "unknown kind of evidence 'anecdotal'"),
        (15, "invalid-scope", "unknown kind of evidence 'rumour'"),
        (19, "invalid-scope", "no kind of evidence given"),
    ]
    for line, subtype, message in expected:
        assert re.search(rf"index\.rst:{line}: WARNING: (evidence-scope: )?{re.escape(message)}.*\[evidence\.{subtype}\]", warned), \
            (message, warned)
    html = read(app, "index.html")
    assert "Traceback" not in warned
    # The bad certainty is dropped but the callout stays; the unknown kind with a body becomes a general caveat.
    assert len(boxes(html, "bottom-line")) == 2 and "evidence-certainty" not in html
    assert '<p class="admonition-title">The honest bottom line</p>' in html
    assert "evidence-scope-general" in html and "About this evidence" in html and "Someone said so." in html
    assert "anecdotal" not in plain(html)


# --------------------------------------------------------------------------- the stylesheet

CSS = Path(__file__).parent.parent / "sphinxext_evidence" / "static" / "evidence.css"
# (text, background) custom-property pairs that must meet WCAG AA in every colour set.
PAIRS = [
    ("bottom-line-title", "bottom-line-bg"),
    ("scope-clinical-title", "scope-clinical-bg"),
    ("scope-limited-title", "scope-limited-bg"),
    ("scope-observational-title", "scope-observational-bg"),
    ("scope-preclinical-title", "scope-preclinical-bg"),
    ("badge-based-fg", "badge-based-bg"),
    ("retracted-fg", "retracted-bg"),
    ("status-approved-fg", "status-approved-bg"),
    ("status-tentative-fg", "status-tentative-bg"),
    ("status-refused-fg", "status-refused-bg"),
    ("status-withdrawn-fg", "status-withdrawn-bg"),
    ("status-unknown-fg", "status-unknown-bg"),
]
# Page backgrounds of the themes: light (alabaster, furo, pydata) and dark (furo, pydata).
LIGHT_PAGES = ("#ffffff", "#fff")
DARK_PAGES = ("#131416", "#121212")


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def colour_sets(css: str) -> dict[str, dict[str, str]]:
    """The light and dark colours: each is written once, as ``var(--evidence-dark, D) var(--evidence-light, L)``."""
    palette = re.search(r"\nbody \{(.*?)\n\}", css, re.S).group(1)
    pairs = re.findall(r"--evidence-([a-z-]+):\s*var\(--evidence-dark, ([^)]+)\) var\(--evidence-light, ([^)]+)\);",
                       palette)
    hexes = re.compile(r"#[0-9a-fA-F]{3,6}$")
    light = {name: lo for name, _, lo in pairs if hexes.match(lo)}
    dark = {name: hi for name, hi, _ in pairs if hexes.match(hi)}
    # The switches: furo's explicit dark, pydata/book's html dark and furo's "auto" all turn the dark set on.
    switches = {
        "dark": r'body\[data-theme="dark"\], html\[data-theme="dark"\] \{ --evidence-dark: initial; --evidence-light: ; \}',
        "auto-dark": r'@media \(prefers-color-scheme: dark\) \{[^}]*body\[data-theme="auto"\] \{ --evidence-dark: initial; '
                     r"--evidence-light: ; \}",
    }
    sets = {"light": light}
    for name, pattern in switches.items():
        sets[name] = dark if re.search(pattern, css, re.S) else {}
    return sets


def test_css_is_self_contained_and_covers_dark_modes_and_print():
    css = CSS.read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css and "http" not in css and "@font-face" not in css
    assert "@media (prefers-color-scheme: dark)" in css and "@media print" in css
    sets = colour_sets(css)
    assert sets["dark"] == sets["auto-dark"]  # furo's auto mode gets the same dark set
    assert set(sets["light"]) | {"th-fg"} == set(sets["dark"])  # every colour has a dark twin (light th text: the theme's)
    # Every class the renderers of this issue emit is styled.
    for cls in ("evidence-bottom-line", "evidence-scope-animal", "evidence-scope-in-vitro", "evidence-scope-mechanistic",
                "evidence-scope-clinical", "evidence-scope-clinical-limited", "evidence-scope-observational",
                "evidence-scope-general", "evidence-article-info", "evidence-byline", "evidence-badge-evidence-based",
                "evidence-disclaimer", "evidence-link"):
        assert f".{cls}" in css, cls


def test_css_contrast_wcag_aa():
    sets = colour_sets(CSS.read_text(encoding="utf-8"))
    for name, colours in sets.items():
        for fg, bg in PAIRS:
            assert contrast(colours[fg], colours[bg]) >= 4.5, (name, fg, bg)
        pages = LIGHT_PAGES if name == "light" else DARK_PAGES
        for page in pages:
            for fg in ("muted", "accent", "certainty-high", "certainty-moderate", "certainty-low", "certainty-very-low"):
                assert contrast(colours[fg], page) >= 4.5, (name, fg, page)
