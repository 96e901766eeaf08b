"""Renderers: records to standard docutils nodes with ``evidence-*`` CSS classes."""
