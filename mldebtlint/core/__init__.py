"""Core: the types, the rule catalog, configuration, rule selection, scoring and errors.

The bottom layer: imports nothing from mldebtlint but ``mldebtlint.__version__``.
"""
