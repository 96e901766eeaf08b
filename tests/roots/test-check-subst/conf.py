# Substitutions in reStructuredText and MyST: what they cite counts only where they are used; a test compares
# what the check's scanner reads here with what a build reads and warns about.
extensions = ["myst_parser", "sphinxext_evidence"]
exclude_patterns = ["_build", "parts"]
myst_enable_extensions = ["substitution", "colon_fence"]
myst_substitutions = {
    "trial": "{pmid}`31000001`",
    "never": "{pmid}`31000002`",
    "outer": "see {{ inner }}",
    "inner": "{pmid}`31000003`",
    "blocks": "First paragraph.\n\nThen {pmid}`31000004`.",
    "heading": "{pmid}`31000005`",
    "in-code": "{pmid}`31000006`",
    "ping": "{{ pong }} {pmid}`31000007`",
    "pong": "{{ ping }} {pmid}`31000008`",
    "card": "```{pmid} 31000009\n```",
}
evidence_offline = True
