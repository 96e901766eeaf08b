project = "check"
extensions = ["myst_parser", "sphinxext_evidence"]
myst_enable_extensions = ["colon_fence", "fieldlist"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown", ".txt": "restructuredtext"}
exclude_patterns = ["_build", "drafts", "_parts"]
evidence_offline = True
evidence_status_max_age_days = None
evidence_regulatory_max_age_days = 180
