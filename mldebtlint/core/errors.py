"""Errors a user can fix: every one ends the run with exit 2 and one line."""

from __future__ import annotations


class ConfigError(Exception):
    """A usage or configuration problem (the message names the key and file)."""
