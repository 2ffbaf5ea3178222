"""Gaussian-process machinery of :class:`~sksearch.optimizers.BayesOptimizer`.

Split by concern, as Optuna's ``_gp`` package: ``search_space`` (encoded
vectors to GP features), ``gp`` (hyperparameter fit and posterior with input
gradients), ``acqf`` (acquisition functions), ``optim_mixed`` (acquisition
optimisation over the mixed space).
"""
