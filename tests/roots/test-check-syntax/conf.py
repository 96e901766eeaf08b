# Markup that decides what the check's scanner must read as a citation and what not; a test reads these pages
# with Sphinx too and compares.
extensions = ["myst_parser", "sphinxext_evidence"]
exclude_patterns = ["_build", "inc"]
myst_enable_extensions = ["colon_fence", "fieldlist"]
evidence_offline = True
suppress_warnings = ["evidence", "myst", "docutils"]
