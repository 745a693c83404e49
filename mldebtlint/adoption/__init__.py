"""Adopting mldebtlint in a legacy repo: baselines, diff mode and the noqa writer.

May import everything below it (core ... engine); never fixes, output, report or commands.
"""
