"""One module per sub-command; ``mldebtlint.cli`` loads them lazily."""
