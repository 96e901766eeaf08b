project = "lockfile-untrusted"
extensions = ["sphinxext_evidence"]
evidence_email = "tests@example.org"
evidence_tool = "sphinxext-evidence-tests"
exclude_patterns = ["_build"]
