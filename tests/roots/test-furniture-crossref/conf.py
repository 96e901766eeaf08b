project = "furniture-crossref"
extensions = ["sphinxext_evidence"]
evidence_email = "tests@example.org"
evidence_tool = "sphinxext-evidence-tests"
exclude_patterns = ["_build"]
copyright = "2026, tests"
version = "1.0"
