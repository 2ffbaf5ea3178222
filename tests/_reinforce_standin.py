"""A minimal stand-in for ``sksearch.optimizers.ReinforceOptimizer`` (helper
"reinforce"), with the API the ENAS engine uses: ``ask``/``tell`` (the
Optimizer protocol, no repeats), ``sample(n)`` (repeats allowed) and
``mode()``. Factorised softmax policy over categorical columns, REINFORCE
with a moving-average baseline. Only for the tests while the real one is not
on main."""

import numpy as np

from sksearch.optimizers._base import Optimizer


class ReinforceStandIn(Optimizer):
    def __init__(self, space, *, random_state=None, learning_rate=0.1, baseline_decay=0.9):
        super().__init__(space, random_state=random_state)
        self.learning_rate = learning_rate
        self.baseline_decay = baseline_decay
        self.logits = [np.zeros(k) for k in self.space.n_choices]
        self.baseline = None

    def _probs(self):
        return [np.exp(lg - lg.max()) / np.exp(lg - lg.max()).sum() for lg in self.logits]

    def _draw(self, n):
        probs = self._probs()
        return np.array([[self.rng.choice(len(p), p=p) for p in probs] for _ in range(n)],
                        dtype=float)

    def sample(self, n):
        return [self.space.decode(v) for v in self._draw(n)]

    def mode(self):
        return self.space.decode(np.array([np.argmax(lg) for lg in self.logits], dtype=float))

    def _propose(self, n):
        out, keys, tries = [], set(), 0
        while len(out) < n and tries < 50 * n and not self._exhausted():
            tries += 1
            v = self._draw(1)[0]
            k = self.space.key(v)
            if self._is_new(v) and k not in keys:
                keys.add(k)
                out.append(v)
        return np.array(out).reshape(-1, self.space.n_dims)

    def _observe(self, X, y):
        y = np.where(np.isnan(y), np.nanmin(y) if np.isfinite(y).any() else 0.0, y)
        for x, r in zip(X, y):
            if self.baseline is None:
                self.baseline = r
            adv = r - self.baseline
            self.baseline = self.baseline_decay * self.baseline + (1 - self.baseline_decay) * r
            for lg, p, c in zip(self.logits, self._probs(), x):
                grad = -p
                grad[int(c)] += 1
                lg += self.learning_rate * adv * grad
