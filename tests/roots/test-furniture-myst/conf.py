project = "furniture-myst"
# sphinx_design is loaded after the evidence extension on purpose: it also has an
# article-info directive, and ours must win whatever the order.
extensions = ["sphinxext_evidence", "myst_parser", "sphinx_design"]
evidence_offline = True
exclude_patterns = ["_build"]
