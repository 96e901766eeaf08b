"""Names vulture cannot see used: attributes and hooks that Sphinx, docutils and html.parser call.

Dead-code check (run by tests/test_package_shape.py):
``vulture sphinxext_evidence vulture_whitelist.py --min-confidence 60``.
This file is read by vulture, never imported.
"""
# ruff: noqa
# docutils directive and transform attributes, read by docutils
has_content
required_arguments
optional_arguments
final_argument_whitespace
default_priority
# Sphinx Domain attributes and hooks, SphinxTransform.apply, SphinxPostTransform.is_supported
data_version
initial_data
_.clear_doc
_.merge_domaindata
_.resolve_any_xref
_.apply
_.is_supported
# html.parser.HTMLParser callbacks
_.handle_starttag
_.handle_endtag
_.handle_data
# logging.LogRecord.msg, rewritten by the API-key filter
_.msg
# read by the docs build and tests
SUBTYPES
# a CSL field of the record model, for citation styles
volume
# public helper beside pmid_key
doi_key
# SphinxPostTransform.formats, read by Sphinx
formats
# requests and urllib3 hooks and attributes the HTTP session overrides
_.resolve_redirects
ConnectionCls
_.pool_classes_by_scheme
_.EntityDeclHandler  # pyexpat calls the handlers it is given
_.UnparsedEntityDeclHandler
_.ExternalEntityRefHandler
