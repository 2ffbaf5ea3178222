"""Plain objective functions and an ask/tell loop, shared by the strategy tests."""

import math

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
