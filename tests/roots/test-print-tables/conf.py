extensions = ['sphinxext_evidence']
evidence_email = 'x@example.org'
evidence_offline = True
project = 'Print tables'
exclude_patterns = ['_build']
