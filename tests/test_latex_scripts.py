"""LaTeX and PDF: titles in Greek, Cyrillic, CJK, emoji and TeX's special characters typeset with every engine,
and every citation link and back-link resolves (no undefined references)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import warnings

PDFLATEX_SAFE = re.compile(r"[\x00-\x7f\u00a0-\u017f\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2122]")


def _build(make_app, rootdir, tmp_path, engine: str):
    src = tmp_path / engine
    shutil.copytree(rootdir / "test-latex-scripts", src)
    app = make_app("latex", srcdir=src, freshenv=True, confoverrides={"latex_engine": engine})
    app.build()
    assert "Traceback" not in warnings(app)
    return app, (Path(app.outdir) / "scripts.tex").read_text(encoding="utf-8")


def test_pdflatex_gets_only_characters_it_knows(make_app, rootdir, tmp_path):
    _, tex = _build(make_app, rootdir, tmp_path, "pdflatex")
    body = tex[tex.index(r"\begin{document}"):]
    unsafe = sorted({ch for ch in body if not PDFLATEX_SAFE.match(ch)})
    assert unsafe == [], [f"U+{ord(c):04X}" for c in unsafe]
    assert r"\ensuremath{\beta}" in body and "Tserebrolizin" in body and "{[}pill{]}" in body
    assert r"\ensuremath{\pi}o\ensuremath{\upsilon}" in body  # accents dropped, letters kept
    refs = set(re.findall(r"\\hyperref\[\\detokenize\{([^}]*)\}\]", tex))
    labels = set(re.findall(r"\\label\{\\detokenize\{([^}]*)\}\}", tex))
    assert refs and refs <= labels, sorted(refs - labels)


def test_xelatex_gets_the_text_as_it_is(make_app, rootdir, tmp_path):
    _, tex = _build(make_app, rootdir, tmp_path, "xelatex")
    assert "β" in tex and "Церебролизин" in tex


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("xelatex") is None,
                    reason="needs TeX (installed by .ci/setup-latex)")
@pytest.mark.parametrize("engine", ["pdflatex", "xelatex"])
def test_pdf_compiles_with_no_undefined_references(make_app, rootdir, tmp_path, engine):
    app, _ = _build(make_app, rootdir, tmp_path, engine)
    result = subprocess.run(["make", "-C", str(app.outdir), "all-pdf", "LATEXMKOPTS=-interaction=nonstopmode"],
                            capture_output=True, text=True, timeout=600, check=False)
    log = (Path(app.outdir) / "scripts.log").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, result.stdout[-2000:] + log[-3000:]
    assert (Path(app.outdir) / "scripts.pdf").stat().st_size > 5000
    assert "undefined" not in " ".join(re.findall(r"LaTeX Warning: .*", log)).lower()
    assert "There were undefined references" not in log
