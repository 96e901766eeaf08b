"""Headless Chromium for tests: Debian's chromium and chromedriver driven through Selenium.

Also what the theme tests share: building the example site with a given HTML
theme, serving a folder on loopback, and one JavaScript measurement of the
extension's components on a page (see :data:`MEASURE`).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fakes.server import LoopbackHTTPServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parent.parent

#: The themes the extension is checked in, with the element that carries their dark mode (None: no dark mode).
THEMES: dict[str, str | None] = {
    "alabaster": None,
    "furo": "body",
    "sphinx_rtd_theme": None,
    "pydata_sphinx_theme": "documentElement",
    "sphinx_book_theme": "documentElement",
}


def available() -> bool:
    """True when Chromium, ChromeDriver and Selenium are installed (``.ci/setup-browser`` installs them)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def theme_installed(theme: str) -> bool:
    """True when the theme's package can be imported (alabaster comes with Sphinx)."""
    import importlib.util

    return importlib.util.find_spec(theme) is not None


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A headless Chromium window of the given size that makes no background connections."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory() as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={width},{height}",
                     "--hide-scrollbars"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            driver.set_window_size(width, height)
            yield driver
        finally:
            driver.quit()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that keeps the test output clean."""

    def log_message(self, *args: Any) -> None:
        """Say nothing."""


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on loopback; yields the base URL (ending in ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = LoopbackHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def build_example(workdir: Path, builds: dict[str, tuple[str, ...]]) -> dict[str, Path]:
    """Build the example site offline once per entry (name -> extra sphinx-build arguments), in parallel."""
    env = {**os.environ, "SPHINX_EVIDENCE_OFFLINE": "1"}
    src = workdir / "site"
    shutil.copytree(ROOT / "example_site", src, ignore=shutil.ignore_patterns("_build"))
    running = {}
    for name, args in builds.items():
        out = workdir / name
        command = [sys.executable, "-m", "sphinx", "-q", "-E", "-d", str(workdir / f"{name}.doctrees"),
                   "-D", "evidence_offline=1", *args, str(src), str(out)]
        running[name] = (out, subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                               text=True))
    for name, (out, process) in running.items():
        output = process.communicate(timeout=600)[0]
        if process.returncode:
            raise RuntimeError(f"building the example site ({name}) failed:\n{output[-3000:]}")
    return {name: out for name, (out, _) in running.items()}


_BUILT: dict[str, Path] = {}


def example_builds(tmp_path_factory: Any) -> dict[str, Path]:
    """The example site in every installed theme, and as EPUB: built once per test session."""
    if not _BUILT:
        builds: dict[str, tuple[str, ...]] = {theme: ("-b", "html", "-D", f"html_theme={theme}")
                                              for theme in THEMES if theme_installed(theme)}
        builds["epub"] = ("-b", "epub")
        work = tmp_path_factory.mktemp("themes")
        _BUILT.update(build_example(work, builds))
    return _BUILT


def go_dark(driver: Any, theme: str) -> None:
    """Switch a theme with a dark mode to it, the way its own toggle does."""
    driver.execute_script(f"document.{THEMES[theme]}.dataset.theme = 'dark'")


#: Measures the extension's components on the current page; ``arguments[0]`` is a CSS selector list of them.
#: Returns sizes and boxes in CSS pixels and contrast ratios of rendered colours (WCAG 2.1 formula).
MEASURE = r"""
const selectors = arguments[0];
const vw = document.documentElement.clientWidth;
const rgba = s => { const m = (s.match(/[\d.]+/g) || [0, 0, 0, 0]).map(Number); return m.length < 4 ? [...m, 1] : m; };
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let base = [255, 255, 255];
  for (const c of layers.reverse()) base = base.map((v, i) => v * (1 - c[3]) + c[i] * c[3]);
  return base;
}
const luminance = c => {
  const l = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
};
function contrast(el) {
  const bg = background(el), fg = rgba(getComputedStyle(el).color);
  const text = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
  const [a, b] = [luminance(text), luminance(bg)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
const shown = el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
                      return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
const ownText = el => [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
const skipped = el => el.closest('sup, a.headerlink, .evidence-visually-hidden');
function clipper(el) {
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== 'visible') return a;
  return null;
}
function brokenWords(el) {
  const out = [], walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    if (skipped(node.parentElement)) continue;
    for (const m of node.data.matchAll(/\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(m[0]);
    }
  }
  return out;
}
const p = [...document.querySelectorAll('section > p')].find(e => !e.closest('[class*="evidence-"]') && shown(e));
const result = {vw, bodySize: parseFloat(getComputedStyle(p || document.body).fontSize), components: [],
                fonts: [], contrast: [], words: [], symbols: [], padding: [],
                dark: luminance(background(p || document.body)) < 0.2};
for (const el of document.querySelectorAll(selectors)) {
  if (!shown(el)) continue;
  const r = el.getBoundingClientRect(), box = clipper(el);
  const b = box && box.getBoundingClientRect();
  result.components.push({name: el.className.split(' ')[0], tag: el.tagName.toLowerCase(),
    left: r.left, right: r.right, width: r.width, display: getComputedStyle(el).display,
    box: box && {name: String(box.className).split(' ')[0], overflow: getComputedStyle(box).overflowX,
                 left: b.left, right: b.right, scrolls: box.scrollWidth > box.clientWidth + 1}});
  for (const e of [el, ...el.querySelectorAll('*')])
    if (shown(e) && ownText(e) && !skipped(e))
      result.fonts.push([e.tagName.toLowerCase() + '.' + String(e.className).split(' ')[0],
                         parseFloat(getComputedStyle(e).fontSize)]);
  if (el.matches('div.evidence-card, div.evidence-grade-card, div.evidence-callout')) {
    const s = getComputedStyle(el);
    const sides = ['Top', 'Right', 'Bottom', 'Left'].map(k => parseFloat(s['padding' + k]));
    result.padding.push([el.className.split(' ')[0], ...sides]);
  }
}
const coloured = '.evidence-badge, .evidence-grade-symbols, div.evidence-callout > .admonition-title, '
                 + '.evidence-byline, table.evidence-table th, .evidence-cell-label';
for (const el of document.querySelectorAll(coloured))
  if (shown(el)) result.contrast.push([el.className.split(' ').slice(0, 2).join(' ') || el.tagName,
                                       el.textContent.trim().slice(0, 30), Math.round(contrast(el) * 100) / 100]);
const whole = 'table.evidence-table > thead th, dl.evidence-card-fields > dt, dl.evidence-sof-info > dt, '
              + '.evidence-regulatory .evidence-badge, .evidence-regulatory-date, a.evidence-fda-source, '
              + '.evidence-cell-label';
for (const el of document.querySelectorAll(whole))
  if (shown(el)) for (const word of brokenWords(el)) result.words.push([el.tagName.toLowerCase(), word]);
const canvas = document.createElement('canvas').getContext('2d');
for (const el of [...document.querySelectorAll('.evidence-grade-symbols')].filter(shown).slice(0, 3)) {
  const s = getComputedStyle(el);
  canvas.font = `${s.fontStyle} ${s.fontWeight} 100px ${s.fontFamily}`;
  const node = el.firstChild, glyphs = {};
  for (let i = 0; i < node.data.length; i++) {
    const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
    const m = canvas.measureText(node.data[i]);
    glyphs[node.data[i]] = {advance: range.getBoundingClientRect().width,
                            ink: [m.actualBoundingBoxLeft + m.actualBoundingBoxRight,
                                  m.actualBoundingBoxAscent + m.actualBoundingBoxDescent]};
  }
  result.symbols.push(glyphs);
}
return result;
"""

#: The extension's components that the measurement looks at.
COMPONENTS = ("div.evidence-sof, table.evidence-table, div.evidence-card, div.evidence-grade-card, "
              "div.evidence-callout, div.evidence-article-info, ol.evidence-references")


def measure(driver: Any) -> dict[str, Any]:
    """Run :data:`MEASURE` on the page the driver shows."""
    return driver.execute_script(MEASURE, COMPONENTS)
