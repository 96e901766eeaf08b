project = "check-clean"
extensions = ["sphinxext_evidence"]
exclude_patterns = ["_build"]
evidence_offline = True
evidence_status_max_age_days = None
