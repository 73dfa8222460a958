"""Machinery of the chainrule site: MkDocs hooks, the docs-as-tests harness, figures.

Nothing here is part of the ``chainrule`` runtime API; it imports MkDocs,
pytest and matplotlib, which ``chainrule`` itself never needs.
"""
