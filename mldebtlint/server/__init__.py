"""``mldebtlint server``: a Language Server (stdio) that keeps the catalog, the
settings, the results cache and the model-graph facts warm in one process.

May import every layer below it (core ... report); only ``commands`` imports it.
"""
