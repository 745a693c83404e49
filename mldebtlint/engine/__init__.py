"""Engine: discovery, the per-file pass (decode, parse once, one batched walk),
suppressions, fingerprints, the results cache, the process pool and the runner.

May import core, syntax, knowledge, manifests, rule, graph and detectors (the
registry); never adoption, fixes, output, report or commands.
"""
