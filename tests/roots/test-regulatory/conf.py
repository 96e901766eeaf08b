extensions = ["sphinxext_evidence"]
project = "regulatory"
exclude_patterns = ["_build"]
evidence_lockfile = "evidence.lock.json"
