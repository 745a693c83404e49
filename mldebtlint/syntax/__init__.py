"""Syntax helpers shared by every rule: the read-only libcst walk, positions,
the nesting screen, import-alias resolution and literal evaluation.

May import core only.
"""
