project = "corrections"
extensions = ["sphinxext_evidence"]
evidence_email = "tests@example.org"
exclude_patterns = ["_build"]
