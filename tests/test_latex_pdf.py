"""LaTeX output that pdflatex (Sphinx's default engine) can typeset.

The character check always runs; the full PDF build runs where latexmk and
pdflatex are installed (TeX is large, so CI does not install it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# What Sphinx's default pdflatex set-up (inputenc utf8, T1, textcomp) can typeset without extra fonts.
PDFLATEX_SAFE = re.compile(r"[\x00-\x7f\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2122]")


def latex_text(make_app, src: Path) -> str:
    """Build ``src`` with the LaTeX builder and return the .tex file."""
    app = make_app("latex", srcdir=src, freshenv=True)
    app.build()
    return next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")


@pytest.mark.parametrize("root", ["citations-offline", "grade"])
def test_latex_uses_only_characters_pdflatex_knows(make_app, project, eutils, root):
    if root == "citations-offline":
        src = project("citations")
        fill = make_app("html", srcdir=src, freshenv=True, confoverrides={"evidence_eutils_url": eutils.base_url})
        fill.build()
    else:
        src = project(root)
    tex = latex_text(make_app, src)
    body = tex[tex.index(r"\begin{document}"):]
    unsafe = sorted({ch for ch in body if not PDFLATEX_SAFE.match(ch)})
    assert unsafe == [], f"characters pdflatex cannot typeset: {[f'U+{ord(c):04X} {c}' for c in unsafe]}"


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdflatex") is None,
                    reason="needs latexmk and pdflatex")
def test_example_site_pdf_builds(tmp_path):
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-M", "latexpdf", str(root / "example_site"), str(out), "-q",
         "-D", "evidence_offline=1"],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    pdf = next((out / "latex").glob("*.pdf"))
    assert pdf.stat().st_size > 10_000


def _chapter_citing(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(Path(__file__).parent / "roots" / "test-anywhere" / "evidence.lock.json", src)
    (src / "conf.py").write_text("project = 't'\nextensions = ['sphinxext_evidence']\nevidence_offline = True\n"
                                 "evidence_status_max_age_days = None\n", encoding="utf-8")
    (src / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   other\n", encoding="utf-8")
    (src / "other.rst").write_text("Other :pmid:`22282884`\n======================\n\nText :pmid:`22282884`.\n\n"
                                   ".. references::\n", encoding="utf-8")
    return src


def test_a_citation_in_a_chapter_title_is_its_label_alone(tmp_path):
    # Chapter styles upper-case the title, labels and all, so a link there would point nowhere.
    src, out = _chapter_citing(tmp_path), tmp_path / "out"
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "-b", "latex", str(src), str(out)], check=True)
    tex = (out / "t.tex").read_text(encoding="utf-8")
    chapter = next(line for line in tex.splitlines() if line.startswith(r"\chapter{Other"))
    assert "{[}1{]}" in chapter and r"\hyperref" not in chapter and r"\label" not in chapter
    assert r"\hyperref[\detokenize{other:evidence-other-ref-1}]" in tex  # the citation in the text still links


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdflatex") is None,
                    reason="needs latexmk and pdflatex")
def test_a_chapter_that_cites_leaves_no_undefined_reference(tmp_path):
    src, out = _chapter_citing(tmp_path), tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "sphinx", "-M", "latexpdf", str(src), str(out), "-q"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    log = (out / "latex" / "t.log").read_text(encoding="utf-8", errors="replace")
    assert "undefined" not in log.lower(), [line for line in log.splitlines() if "undefined" in line.lower()]
