"""The live pipeline: detector worker processes, per-session stream state, reviewer updates.

Kept free of heavy imports: worker processes import this package before their models.
"""
