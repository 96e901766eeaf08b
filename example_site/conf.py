"""Sphinx configuration for the sphinxext-evidence example site.

The site is built from the committed lockfile ``evidence.lock.json`` next to
this file, so a normal build needs no network. To refresh the records from
NCBI, see README.md.
"""

project = "Evidence Desk — example"
author = "Evidence Desk"
copyright = "2026, Evidence Desk (example content)"

extensions = [
    "sphinxext_evidence",
    "sphinx_design",
    "myst_parser",
]
# sphinx_design has an ``article-info`` directive of its own; sphinxext_evidence
# registers its byline after every extension is set up, so the load order does
# not matter.

# MyST: ``:::`` fences for notes, and field lists for the regulatory-status body.
myst_enable_extensions = ["colon_fence", "fieldlist"]

# NCBI etiquette: sent with every E-utilities request when the lockfile is
# refreshed. ``evidence_offline`` is deliberately not set: the build reads the
# committed lockfile and only goes to the network for identifiers that are
# missing from it.
evidence_email = "evidence-desk@example.org"

# The committed lockfile is a frozen snapshot for the example, so the age of its
# retraction checks is not warned about; a real site keeps the 30-day default.
evidence_status_max_age_days = None

html_theme = "alabaster"
html_title = project

exclude_patterns = ["_build", "fixtures", "README.md"]

# PDF (pdflatex): the guide writes the APOE allele with a Greek epsilon.
latex_elements = {"preamble": r"\DeclareUnicodeCharacter{03B5}{\ensuremath{\varepsilon}}"}
