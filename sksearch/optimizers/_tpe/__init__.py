"""Maths of :class:`~sksearch.optimizers.TPEOptimizer` (Parzen estimators)."""
