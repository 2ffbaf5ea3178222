"""Random search: independent draws from the prior, without repeats."""

# SPDX-License-Identifier: BSD-3-Clause

from ._base import Optimizer

__all__ = ["RandomOptimizer"]


class RandomOptimizer(Optimizer):
    """Draw candidates independently from the prior of each dimension.

    The reference strategy (Bergstra & Bengio, 2012). Unlike sklearn's
    ``ParameterSampler`` it never proposes a candidate twice, also when the
    space has continuous dimensions, and it handles a list of sub-spaces by
    drawing the sub-space uniformly. Cost per candidate: one prior draw.
    It takes any number of objectives (the baseline of multi-objective
    search), since it learns nothing from them.

    Parameters
    ----------
    space : Space or dict or list of dict
    random_state : None, int, numpy Generator or RandomState
    """

    multi_objective = True

    def _propose(self, n):
        return self._sample_new(n)
