extensions = ["sphinxext_evidence"]
project = "regulatory-stale"
exclude_patterns = ["_build"]
evidence_lockfile = "evidence.lock.json"
