"""A test-only SearchCV on the random strategy, to test the driver alone."""

import numpy as np

from sksearch._search import BaseSearch
from sksearch.model_selection import registered_searches
from sksearch.optimizers import RandomOptimizer

#: every public search class, as the registry (sksearch.optimizers.all_optimizers)
#: names them: the class list of every test that runs over all of them
PUBLIC_SEARCHES = sorted(set(registered_searches().values()), key=lambda c: c.__name__)


class RandomSearch(BaseSearch):
    """The driver on the random strategy (test-only)."""

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_iter=n_iter,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return RandomOptimizer(space, random_state=random_state)
