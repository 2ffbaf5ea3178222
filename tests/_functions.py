"""Plain objective functions and an ask/tell loop, shared by the strategy tests."""

import math

import numpy as np

from sksearch.space import Integer, Real

SPACE = {
    "x": Real(-5.0, 5.0),
    "y": Real(-5.0, 5.0),
    "lr": Real(1e-4, 1.0, log=True),
    "kind": ["a", "b", "c"],
}
SUBSPACES = [
    {"a": Real(0.0, 5.0), "n": Integer(1, 9)},
    {"b": Real(0.0, 1.0), "m": ["x", "y", "z"]},
]


def quadratic(c):
    """Best (0) at x=1, y=-2, lr=1e-2, kind='b'."""
    return -(
        (c["x"] - 1) ** 2
        + (c["y"] + 2) ** 2
        + (math.log10(c["lr"]) + 2) ** 2
        + (c["kind"] != "b")
    )


def sub_objective(c):
    if "a" in c:
        return -((c["a"] - 2) ** 2) - abs(c["n"] - 4) / 4
    return -((c["b"] - 0.5) ** 2) - (c["m"] != "y") + 0.5


def run(opt, func, n_iter, batch):
    seen = []
    while len(seen) < n_iter:
        cands = opt.ask(min(batch, n_iter - len(seen)))
        if not cands:
            break
        opt.tell(cands, [func(c) for c in cands])
        seen.extend(cands)
    return seen


def keys(space, cands):
    return [space.key(space.encode(c)) for c in cands]


def branin(c):
    x1, x2 = c["x1"], c["x2"]
    b, cc, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return -((x2 - b * x1**2 + cc * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10)


BRANIN = {"x1": Real(-5, 10), "x2": Real(0, 15)}  # max -0.398

MIXED_SMALL = {
    "x": Real(-3, 3),
    "lr": Real(1e-4, 1.0, log=True),
    "n": Integer(1, 20),
    "kind": ["a", "b", "c"],
}


def mixed_small(c):
    return -((c["x"] - 1) ** 2 + (math.log10(c["lr"]) + 2) ** 2 + ((c["n"] - 12) / 5) ** 2) - (
        c["kind"] != "c"
    )


def best_after(opt, func, n_iter, batch=1):
    """Ask/tell until ``n_iter`` results are told; the best score."""
    while len(opt.y_) < n_iter:
        cands = opt.ask(min(batch, n_iter - len(opt.y_)))
        opt.tell(cands, [func(c) for c in cands])
    return opt.best()[1]
