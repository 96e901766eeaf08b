extensions = ["sphinxext_evidence"]
project = "regulatory-bad"
exclude_patterns = ["_build"]
evidence_lockfile = "evidence.lock.json"
