"""The checkpoint journal: one JSON line per finished evaluation.

The first line is a header that identifies the search (estimator, space,
scoring, data and folds); every other line is one evaluated candidate: its
encoded vector (from which the candidate is decoded again exactly), its
parameters as JSON values (for reading with ``pandas.read_json(path,
lines=True)``), the score the strategy was told, and the raw per-fold results
scikit-learn's ``_fit_and_score`` returned, so that a resumed search rebuilds
the same ``cv_results_`` without fitting anything again.

Lines are appended and ``fsync``'d after every batch. A line cut short by a
kill is dropped (and the file truncated after the last whole line) when the
journal is opened again.
"""

# SPDX-License-Identifier: BSD-3-Clause

import json
import math
import numbers
import os
import time

import joblib
import numpy as np
from sklearn.base import clone

__all__ = ["Journal", "search_fingerprint"]

FORMAT = 1


def _jsonable(value):
    """A JSON value for a parameter or score; repr for anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return repr(value)


def _score_from_json(value):
    if isinstance(value, dict):
        return {k: _score_from_json(v) for k, v in value.items()}
    return float("nan") if value is None else float(value)


def search_fingerprint(search, space, X, y, splits):
    """A digest of what makes two searches' evaluations interchangeable."""
    try:
        estimator = joblib.hash(clone(search.estimator))
    except Exception:  # an estimator that does not pickle: its repr will do
        estimator = repr(search.estimator)
    parts = {
        "estimator": estimator,
        "space": repr([(s, n, repr(d)) for s, n, d in space.columns]),
        "scoring": repr(search.scoring),
        "return_train_score": bool(search.return_train_score),
        "X": joblib.hash(X),
        "y": joblib.hash(y),
        "folds": joblib.hash([np.asarray(test) for _, test in splits]),
    }
    return joblib.hash(parts), parts


class Journal:
    """Append-only journal of a search's evaluations at ``path``."""

    def __init__(self, path, header):
        self.path = os.fspath(path)
        self.header = header
        self.records = []
        self._file = None

    @classmethod
    def open(cls, path, header):
        """Open ``path`` for a search with this ``header``; read what is there.

        Raises ValueError if the journal was written by another search.
        """
        journal = cls(path, header)
        if os.path.exists(journal.path) and os.path.getsize(journal.path) > 0:
            journal._read()
        else:
            os.makedirs(os.path.dirname(os.path.abspath(journal.path)), exist_ok=True)
            journal._append([header])
        return journal

    def _read(self):
        good_end = 0
        lines = []
        with open(self.path, "rb") as f:
            for raw in f:
                if not raw.endswith(b"\n"):
                    break  # cut short by a kill
                try:
                    lines.append(json.loads(raw))
                except json.JSONDecodeError:
                    break
                good_end += len(raw)
        if good_end < os.path.getsize(self.path):
            with open(self.path, "r+b") as f:
                f.truncate(good_end)
        if not lines or lines[0].get("sksearch_journal") != FORMAT:
            raise ValueError(
                f"checkpoint={self.path!r} is not an sksearch journal (its first line "
                "is not a journal header); give another path."
            )
        theirs = lines[0]
        if theirs.get("fingerprint") != self.header["fingerprint"]:
            what = [
                k
                for k in self.header["parts"]
                if theirs.get("parts", {}).get(k) != self.header["parts"][k]
            ]
            hint = (
                " (the folds differ: a splitter that shuffles needs a fixed random_state "
                "to be resumed)"
                if "folds" in what
                else ""
            )
            raise ValueError(
                f"checkpoint={self.path!r} was written by another search: its "
                f"{', '.join(what) or 'fingerprint'} differ{'s' if len(what) == 1 else ''} "
                f"from this one's{hint}. Use another path, or delete the file to start "
                "again."
            )
        self.records = lines[1:]

    def _append(self, objects):
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8")
        for obj in objects:
            self._file.write(json.dumps(obj, allow_nan=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def write(self, candidates, vectors, scores, outs, n_splits, more):
        """Append one record per candidate (``outs``: n_splits raw results each)."""
        records = []
        for i, (cand, vec, score) in enumerate(zip(candidates, vectors, scores)):
            raw = outs[i * n_splits : (i + 1) * n_splits]
            records.append(
                {
                    "index": len(self.records) + len(records),
                    "time": time.time(),
                    "vector": [None if not math.isfinite(v) else float(v) for v in vec],
                    "params": {k: _jsonable(v) for k, v in cand.items()},
                    "score": _jsonable(score),
                    "more": {k: _jsonable(v[i]) for k, v in more.items()},
                    "out": [
                        {
                            "test_scores": _jsonable(o["test_scores"]),
                            "train_scores": _jsonable(o.get("train_scores")),
                            "n_test_samples": int(o["n_test_samples"]),
                            "fit_time": float(o["fit_time"]),
                            "score_time": float(o["score_time"]),
                            "fit_error": o.get("fit_error"),
                        }
                        for o in raw
                    ],
                }
            )
        self._append(records)
        self.records.extend(records)

    @staticmethod
    def vector(record):
        return np.array([np.nan if v is None else v for v in record["vector"]], dtype=float)

    @staticmethod
    def score(record):
        return float("nan") if record["score"] is None else float(record["score"])

    @staticmethod
    def out(record, return_train_score):
        """The per-fold results of a record, as ``_fit_and_score`` returns them."""
        outs = []
        for o in record["out"]:
            d = {
                "test_scores": _score_from_json(o["test_scores"]),
                "n_test_samples": o["n_test_samples"],
                "fit_time": o["fit_time"],
                "score_time": o["score_time"],
                "fit_error": o["fit_error"],
            }
            if return_train_score:
                d["train_scores"] = _score_from_json(o["train_scores"])
            outs.append(d)
        return outs

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None
