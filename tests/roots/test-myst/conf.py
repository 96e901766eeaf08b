project = "myst"
extensions = ["myst_parser", "sphinxext_evidence"]
evidence_offline = True
exclude_patterns = ["_build"]
