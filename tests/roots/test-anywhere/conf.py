project = "anywhere"
extensions = ["sphinxext_evidence"]
evidence_offline = True
evidence_status_max_age_days = None
exclude_patterns = ["_build"]
