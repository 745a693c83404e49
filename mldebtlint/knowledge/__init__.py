"""Knowledge as data: known ML APIs (estimators, optimizers, conversion calls,
frameworks, persistence calls) and vocabularies (threshold subjects, business terms,
config-object words). No logic beyond lookups.

May import core only.
"""
