"""What a search prints with verbose > 0: lines a user can read and trust."""

import re

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from sksearch import TPESearchCV
from sksearch._search import format_score
from sksearch.space import Real

X, y = load_iris(return_X_y=True)
SPACE = {"C": Real(1e-3, 1e2, log=True)}


def _search(**kwargs):
    return TPESearchCV(LogisticRegression(max_iter=300), SPACE, n_iter=6, cv=3, batch_size=2,
                       random_state=0, verbose=1, **kwargs)


def test_scores_have_the_same_digits_on_every_line(capsys):
    _search().fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if "candidates, best" in line]
    assert len(lines) == 3
    scores = [re.search(r"best (\S+),", line).group(1) for line in lines]
    assert all(re.fullmatch(r"-?\d+\.\d{4}", s) for s in scores), scores
    assert format_score(np.nan) == "n/a" and format_score(-12345678.0) == "-1.2346e+07"


def test_a_resumed_search_says_what_it_fits(tmp_path, capsys):
    path = tmp_path / "search.jsonl"
    _search(checkpoint=path).fit(X, y)
    first = capsys.readouterr().out
    assert "Fitting 3 folds for each of 6 candidates, totalling 18 fits" in first
    _search(checkpoint=path).fit(X, y)
    again = capsys.readouterr().out
    assert "Fitting 3 folds for each of 6" not in again
    assert ("Resumed 6 candidates from the checkpoint journal; nothing left to fit but "
            "the refit") in again
