"""One module per sub-command; ``mldebtlint.cli`` loads them lazily.

The top of the stack: may import any layer below (core ... report); nothing imports it but ``cli``.
"""
