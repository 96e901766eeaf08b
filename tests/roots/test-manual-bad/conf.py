project = "manual-bad"
extensions = ["sphinxext_evidence"]
evidence_email = "tests@example.org"
evidence_manual_records = "references.yaml"
exclude_patterns = ["_build"]
