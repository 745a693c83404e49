"""mldebtlint: find and score machine-learning technical debt in Python code."""

__version__ = "0.1.0"
