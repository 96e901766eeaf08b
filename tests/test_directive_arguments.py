"""A directive written without its argument is an evidence.empty warning at its line, in RST and MyST, not an error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import warnings

RST = """Page
====

Before.

.. pmid::

.. pmid::
   :design: Randomised

   A body that must not be read as the PMID.

.. regulatory-status::
   :as-of: 2026-01-01

   :US: approved

After :pmid:`22282884`.
"""

MYST = """# Page

Before.

```{pmid}
```

```{regulatory-status}
:as-of: 2026-01-01

:US: approved
```

After.
"""


@pytest.mark.parametrize(("name", "text", "conf"), [
    ("index.rst", RST, "extensions = ['sphinxext_evidence']\n"),
    ("index.md", MYST, "extensions = ['myst_parser', 'sphinxext_evidence']\nmyst_enable_extensions = ['fieldlist']\n"),
])
def test_missing_argument_is_an_empty_warning(make_app, tmp_path: Path, name: str, text: str, conf: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(conf + "evidence_email = 'x@example.org'\nevidence_offline = True\n"
                                 "evidence_status_max_age_days = None\n", encoding="utf-8")
    (src / name).write_text(text, encoding="utf-8")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    warned = warnings(app)
    assert "ERROR" not in warned and "argument(s) required" not in warned
    page = re.escape(str(src / name.rsplit(".", 1)[0]))
    found = re.findall(rf"^{page}\.(?:rst|md):(\d+): WARNING: (pmid|regulatory-status): the argument is missing, as "
                       r"in '\.\. \2:: [^']+'; nothing is shown \[evidence\.empty\]$", warned, re.MULTILINE)
    expected = [("6", "pmid"), ("8", "pmid"), ("13", "regulatory-status")] if name.endswith(".rst") else \
        [("5", "pmid"), ("8", "regulatory-status")]
    assert found == expected, warned


GRADES = """Page
====

.. evidence-grade::
   :certainty: low
   :effect: little-or-no

.. certainty-table::
   :intervention: Drug A
   :comparison: placebo

   .. evidence-grade:: Mortality
      :certainty: moderate
      :effect: little-or-no
      :relative: RR 0.98 (0.90 to 1.05)
      :studies: 4 RCTs
      :downgrade: risk-of-bias -1 unblinded

After.
"""


def test_grade_directives_without_their_argument_warn_and_keep_the_rows(make_app, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_email = 'x@example.org'\n"
                                 "evidence_offline = True\n", encoding="utf-8")
    (src / "index.rst").write_text(GRADES, encoding="utf-8")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    warned = warnings(app)
    assert "ERROR" not in warned and "argument(s) required" not in warned
    assert re.search(r"index\.rst:4: WARNING: evidence-grade: the argument is missing, as in '\.\. evidence-grade:: "
                     r"All-cause death'; nothing is shown \[evidence\.empty\]", warned), warned
    assert re.search(r"index\.rst:8: WARNING: certainty-table: the title is missing, .*; the table is titled "
                     r"'Summary of findings' \[evidence\.empty\]", warned), warned
    html = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    assert "Summary of findings" in html and "Mortality" in html
