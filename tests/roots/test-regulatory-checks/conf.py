extensions = ["sphinxext_evidence"]
project = "regulatory-checks"
exclude_patterns = ["_build"]
evidence_lockfile = "evidence.lock.json"
