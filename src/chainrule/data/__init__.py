"""Data files shipped with chainrule; read them through :mod:`chainrule.datasets`."""
