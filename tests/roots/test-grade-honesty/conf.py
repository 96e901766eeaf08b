project = "honest grades"
extensions = ["sphinxext_evidence"]
evidence_offline = True
exclude_patterns = ["_build"]
