extensions = ["sphinxext_evidence"]
project = "regulatory-conflict"
exclude_patterns = ["_build"]
evidence_lockfile = "evidence.lock.json"
