"""Sphinx configuration of the sphinxext-evidence documentation.

The documentation is built with the extension itself.  Every record it cites is
in the committed ``evidence.lock.json`` next to this file, so the build needs no
network; CI builds it with ``SPHINX_EVIDENCE_OFFLINE=1`` and ``-W``.
See README.md in this directory for where the lockfile came from.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "sphinxext-evidence"
author = "sphinxext-evidence developers"
copyright = "2026, sphinxext-evidence developers"
release = version = "0.1.0"

extensions = [
    # sphinx_design first: it also defines an ``article-info`` directive, and
    # sphinxext_evidence keeps sphinx-design's as a fallback for its options.
    "sphinx_design",
    "sphinxext_evidence",
    "myst_parser",
    # Local helpers (docs/_ext): the side-by-side examples and the generated
    # table of configuration values.
    "evidence_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "README.md", "ci"]
myst_enable_extensions = ["colon_fence"]

html_theme = "alabaster"
html_title = "sphinxext-evidence"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Evidence-based health writing for Sphinx",
    "fixed_sidebar": True,
}

# -- sphinxext-evidence ---------------------------------------------------------

# NCBI etiquette: sent with every E-utilities request when the lockfile is filled.
evidence_email = "docs@example.org"

# The pages that cite the retracted PMID 993 on purpose acknowledge each
# citation (``:pmid:`993 | why```), so no warning is silenced here: a newly
# retracted paper anywhere else still fails the ``-W`` build.

# The regulatory examples are dated 2026-11; without this the ``-W`` build
# would start failing a year later with ``evidence.regulatory-stale``.  A real
# site should keep the default (365) and re-check its statuses instead.
evidence_regulatory_max_age_days = 36500

# Likewise the records cited here were fetched once for the examples; a real
# site keeps the default (30 days) so that retractions are noticed.
evidence_status_max_age_days = None

# Shown on the reference page of this option, and at the foot of every page
# that uses the extension.
evidence_disclaimer = (
    "The health content on this page is example text that shows how the extension "
    "renders; it is not medical advice."
)

# Shown on the evidence-scope reference page: a site-wide rewording of one caveat.
evidence_scope_texts = {
    "mechanistic": "Only a proposed mechanism supports this: there is no study in people.",
}
