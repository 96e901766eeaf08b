project = "furniture"
extensions = ["sphinxext_evidence"]
evidence_email = "tests@example.org"
evidence_offline = True
evidence_disclaimer = "Information only; not medical advice. Ask your doctor before acting on it."
exclude_patterns = ["_build"]
copyright = "2026, tests"
version = "1.0"
