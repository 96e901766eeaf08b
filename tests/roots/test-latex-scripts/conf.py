project = "latex scripts"
extensions = ["sphinxext_evidence"]
evidence_offline = True
evidence_status_max_age_days = None
exclude_patterns = ["_build"]
latex_documents = [("index", "scripts.tex", "Scripts", "Tests", "howto")]
