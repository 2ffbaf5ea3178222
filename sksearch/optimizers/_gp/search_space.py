"""From the shared encoded vectors to the features the GP kernel sees.

* numeric columns (already in ``[0, 1]`` through their prior) are kept as they
  are, one feature each;
* categorical columns (the sub-space selector included) become one-hot
  features scaled by ``1/sqrt(2)``, so no order is imposed on the choices and
  two different choices are at squared distance 1 (a Hamming distance, as in
  Optuna's GPSampler);
* columns that a vector's sub-space does not use are set to a constant (0.5
  for numeric, all zeros for one-hot), so they add nothing to the distance
  between two vectors of the same sub-space.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

INACTIVE_NUMERIC = 0.5
ONE_HOT = 1.0 / np.sqrt(2.0)


class FeatureMap:
    """Encoded vectors -> GP input features (numeric as is, categoricals one-hot).

    Attributes
    ----------
    n_features : int
    numeric_columns : ndarray of int
        Columns of the encoded vector that are numeric.
    numeric_features : ndarray of int
        The feature of each numeric column (same order).
    groups : ndarray of int
        The kernel length scale of each feature: one per encoded column (the
        one-hot features of a categorical share theirs), and one for each
        feature a subclass appends.
    """

    def __init__(self, space):
        self.space = space
        numeric_columns, numeric_features, cat, groups = [], [], [], []
        f = 0
        for j in range(space.n_dims):
            if space.is_categorical[j]:
                k = int(space.n_choices[j])
                cat.append((j, f, k))
                f += k
                groups += [j] * k
            else:
                numeric_columns.append(j)
                numeric_features.append(f)
                f += 1
                groups.append(j)
        self.n_features = f
        self._groups = groups
        self.numeric_columns = np.array(numeric_columns, dtype=int)
        self.numeric_features = np.array(numeric_features, dtype=int)
        self.categorical = cat  # (column, first feature, n_choices)

    @property
    def groups(self):
        extra = self.n_features - len(self._groups)
        n = self.space.n_dims
        return np.array(self._groups + list(range(n, n + extra)), dtype=int)

    @property
    def n_groups(self):
        return int(self.groups.max()) + 1 if self.n_features else 0

    def transform(self, V):
        V = np.atleast_2d(np.asarray(V, dtype=float))
        active = self.space.active_masks(V)
        # the map's own features; a subclass appends its own after them
        F = np.zeros((V.shape[0], len(self._groups)))
        nc, nf = self.numeric_columns, self.numeric_features
        if nc.size:
            F[:, nf] = np.where(active[:, nc], np.clip(V[:, nc], 0.0, 1.0), INACTIVE_NUMERIC)
        rows = np.arange(V.shape[0])
        for j, f, k in self.categorical:
            idx = np.clip(np.round(np.nan_to_num(V[:, j])), 0, k - 1).astype(int)
            on = active[:, j]
            F[rows[on], f + idx[on]] = ONE_HOT
        return F
