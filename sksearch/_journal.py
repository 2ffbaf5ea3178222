"""The checkpoint journal: one JSON line per finished evaluation.

The first line is a header that identifies the search (estimator, space,
scoring, data and folds); every other line is one evaluated candidate: its
parameter values in an exact, typed JSON form (``values``: tuples, dicts,
non-finite floats and estimator choices are told apart, so that the
candidate is recovered from its values in this search space or in another
one), its parameters as plain JSON values (``params``, for reading with
``pandas.read_json(path, lines=True)``), its encoded vector (a cache, valid
only in the space the header's fingerprint names), the score the strategy
was told, and the raw per-fold results scikit-learn's ``_fit_and_score``
returned, so that a resumed search rebuilds the same ``cv_results_`` without
fitting anything again.

Every float is read back exactly: JSON has no infinity nor NaN, so a
non-finite score, time or value is written as the string ``"inf"``,
``"-inf"`` or ``"nan"`` (a ``null`` of an older journal reads as NaN).

Guarantees. The store is a JSON-lines file (readable with pandas; doc/design.rst
says why not sqlite3), append-only, and ``fsync``'d after every batch:

* a file is recognised as a journal (its first line is a header) before
  anything is written to it: a CSV or config given as ``checkpoint=`` is
  refused and never truncated; a symlink is refused;
* only a final line without its newline (cut by a kill) is dropped and
  truncated; a damaged line followed by whole lines raises ValueError naming
  the file and the line and leaves the file unchanged; a header cut during
  the very first write starts a fresh journal;
* while a journal is open it holds an exclusive ``flock``: a second writer is
  refused (no locking where ``fcntl`` is missing);
* a path that is not a regular file, or cannot be created or written, is a
  :class:`CheckpointError` before anything is fitted; a write that fails
  later (a full disk) cuts the file back to its last whole record and the
  search goes on without journaling, with a warning;
* the fingerprint covers every parameter of every dimension, the fit
  parameters, and identifies callables by module, qualname and code, so a
  search is resumed from another process.
"""

# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import inspect
import json
import math
import numbers
import os
import time

import joblib
import numpy as np

from ._warn import warn_user
from .space import same_numeric_type

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["CheckpointError", "Journal", "search_fingerprint"]


class CheckpointError(OSError, ValueError):
    """The checkpoint path cannot hold a journal (a device, a directory, no
    permission, no space): an ``OSError`` that is also a ``ValueError`` about
    the ``checkpoint`` parameter, raised before anything is fitted."""

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


def float_json(value):
    """A float as JSON: the number itself (Python writes the shortest repr,
    read back exactly), or the string ``"inf"``, ``"-inf"`` or ``"nan"``."""
    value = float(value)
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def float_from_json(value):
    """The float written by :func:`float_json`; ``null`` (older journals) is NaN."""
    return float("nan") if value is None else float(value)


def _score_json(value):
    if isinstance(value, dict):
        return {str(k): _score_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):  # several objectives
        return [float_json(v) for v in value]
    if value is None or isinstance(value, str):  # "error_score='raise'" never gets here
        return value
    return float_json(value)


def _score_from_json(value):
    if isinstance(value, dict):
        return {k: _score_from_json(v) for k, v in value.items()}
    return float_from_json(value)


# -- parameter values, exactly ----------------------------------------------
#
# ``params`` (above) is for people: a tuple is a list there, an estimator its
# repr. ``values`` is for the search: every value is written so that it is
# told apart from every other, and plain data (numbers, strings, None,
# tuples, lists, dicts) is read back as it was. A tagged value is a JSON
# object with one key that starts with "$".


def value_json(value):
    """The exact JSON form of a parameter value (see above)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else {"$float": float_json(value)}
    if isinstance(value, tuple):
        return {"$tuple": [value_json(v) for v in value]}
    if isinstance(value, list):
        return [value_json(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: value_json(v) for k, v in value.items()}
        return {"$dict": [[value_json(k), value_json(v)] for k, v in value.items()]}
    if isinstance(value, Opaque):
        return value.data
    name = f"{type(value).__module__}.{type(value).__qualname__}"
    if hasattr(value, "get_params") and not isinstance(value, type):
        try:
            params = value.get_params(deep=False)
        except Exception:
            params = None
        if params is not None:
            return {"$estimator": [name, value_json(dict(params))]}
    return {"$object": [name, _token_hash(value)]}


def value_from_json(data):
    """The value of :func:`value_json`'s form, or ``Opaque(data)`` for an
    object that only a search space's own choices can stand for."""
    if isinstance(data, list):
        return [value_from_json(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (tag, body), = data.items()
        if tag == "$float":
            return float(body)
        if tag == "$tuple":
            return tuple(value_from_json(v) for v in body)
        if tag == "$dict":
            return {_hashable(value_from_json(k)): value_from_json(v) for k, v in body}
        if tag in ("$estimator", "$object"):
            return Opaque(data)
    return {k: value_from_json(v) for k, v in data.items()}


def _hashable(key):
    return Opaque(key.data) if isinstance(key, Opaque) else key


class Opaque:
    """A journaled value that is not plain data (an estimator, a function):
    recovered only by matching a choice of the search space."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def __eq__(self, other):
        return isinstance(other, Opaque) and _canonical(self.data) == _canonical(other.data)

    def __hash__(self):
        return hash(_canonical(self.data))

    def __repr__(self):
        return f"Opaque({self.data!r})"


def _canonical(data):
    return json.dumps(data, sort_keys=True, allow_nan=False)


def candidate_in_space(space, values, *, legacy=False):
    """The candidate of ``space`` that a record's values stand for, or None
    if they are outside it (another parameter, a value out of bounds or not
    among the choices).

    A categorical value is the choice whose JSON form is the recorded one
    (the space's own object: an estimator choice comes back as the choice);
    a numeric value is the recorded number itself, checked against the
    dimension's bounds. ``legacy``: ``values`` are the plain ``params`` of a
    journal written before values were kept (a tuple reads as a list, an
    object as its repr); a value that two choices would both write is then
    outside.
    """
    if not isinstance(values, dict):
        return None
    encode = _jsonable if legacy else value_json
    # of overlapping sub-spaces, the one whose numeric types are the
    # recorded ones (an int for an integer), else the first that holds it
    for strict in (True, False):
        for sub in space.subspaces:
            if set(sub) != set(values):
                continue
            candidate = {}
            for name, dim in sub.items():
                stored = values[name]
                if dim.is_categorical:
                    want = _canonical(stored)
                    hits = [
                        i for i, c in enumerate(dim.choices) if _canonical(encode(c)) == want
                    ]
                    if len(hits) != 1:
                        break
                    candidate[name] = dim.inverse_transform(float(hits[0]))
                    continue
                value = value_from_json(stored)
                if isinstance(value, bool) or not isinstance(value, numbers.Real):
                    break
                if strict and not same_numeric_type(dim, value):
                    break
                try:
                    dim.transform(value)
                except (ValueError, TypeError, OverflowError):
                    break
                candidate[name] = int(value) if dim.kind == "integer" else float(value)
            else:
                return candidate
    return None


def _stable_token(obj, _depth=0):
    """A value that identifies ``obj`` the same way in every process."""
    if _depth > 50:
        return repr(type(obj))
    d = _depth + 1
    if obj is None or isinstance(obj, (bool, int, float, str, bytes)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return ("ndarray", joblib.hash(obj))
    if isinstance(obj, dict):
        return ("dict", sorted((repr(k), _stable_token(v, d)) for k, v in obj.items()))
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [_stable_token(v, d) for v in obj]
        if isinstance(obj, (set, frozenset)):
            items = sorted(items, key=repr)
        return (type(obj).__name__, items)
    if inspect.isfunction(obj) or inspect.ismethod(obj) or inspect.isbuiltin(obj):
        name = f"{getattr(obj, '__module__', None)}.{getattr(obj, '__qualname__', repr(obj))}"
        code = getattr(obj, "__code__", None)
        digest = None
        if code is not None:
            digest = hashlib.sha256(
                code.co_code + repr(code.co_consts).encode() + repr(code.co_names).encode()
            ).hexdigest()
        return ("function", name, digest)
    if hasattr(obj, "dist") and hasattr(obj, "args") and hasattr(obj, "kwds"):
        return (
            "scipy",
            getattr(obj.dist, "name", type(obj.dist).__name__),
            _stable_token(list(obj.args), d),
            _stable_token(dict(obj.kwds), d),
        )
    if hasattr(obj, "get_params") and not isinstance(obj, type):
        try:
            params = obj.get_params(deep=False)
        except Exception:
            params = None
        if params is not None:
            return (type(obj).__module__, type(obj).__qualname__, _stable_token(params, d))
    if isinstance(obj, type):
        return ("type", obj.__module__, obj.__qualname__)
    if hasattr(obj, "__dict__") and not callable(obj):
        try:
            return (type(obj).__module__, type(obj).__qualname__, _stable_token(vars(obj), d))
        except Exception:
            pass
    try:
        return ("pickle", joblib.hash(obj))
    except Exception:
        return ("repr", type(obj).__qualname__)


def _token_hash(obj):
    return hashlib.sha256(repr(_stable_token(obj)).encode()).hexdigest()


def _data_hash(a):
    if isinstance(a, (list, tuple)):
        try:
            a = np.asarray(a)
        except Exception:
            pass
    return joblib.hash(a)


def space_token(space):
    """The part of a search's fingerprint that names its space: a journal's
    encoded vectors mean something only in the space of this token."""
    return _token_hash(
        [(s, n, type(d).__name__, _stable_token(vars(d))) for s, n, d in space.columns]
    )


def search_fingerprint(search, space, X, y, splits, params=None, extra=None):
    """A digest of what makes two searches' evaluations interchangeable
    (``extra``: parts only some searches have, such as Hyperband's levels)."""
    if y is not None and not hasattr(y, "iloc") and not hasattr(y, "tocsr"):
        try:
            y = np.asarray(y)
        except Exception:
            pass
    parts = {
        "estimator": _token_hash(search.estimator),
        "space": space_token(space),
        "scoring": _token_hash(search.scoring),
        "return_train_score": bool(search.return_train_score),
        "X": _data_hash(X),
        "y": _data_hash(y),
        "folds": joblib.hash([np.asarray(test) for _, test in splits]),
        "fit_params": joblib.hash(
            {k: _data_hash(v) for k, v in sorted((params or {}).items())}
        ),
    }
    if extra:
        parts.update(extra)
    return joblib.hash(parts), parts


def top_resource_rows(n_resources):
    """Indices of the rows to take as a search's observations: all of them,
    or, for a multi-fidelity search (rows with ``n_resources``), those at its
    highest resource, whose scores alone are scores of the candidates as
    another search would evaluate them."""
    known = [v for v in n_resources if v is not None]
    if not known:
        return list(range(len(n_resources)))
    top = max(known)
    return [i for i, v in enumerate(n_resources) if v == top]


_RECORD_KEYS = ("vector", "params", "score")

#: costs measured on a fitted estimator beside sklearn's fit-and-score results
#: (``sksearch._objectives.COSTS``), journaled with each fold's results
MEASURED = ("model_size", "n_parameters")


def read_lines(path, param):
    """(lines, good_end, size) of a journal at ``path``, read only.

    Recognises the header first; raises ValueError naming ``param``, the file
    and the line for anything that is not a journal or is damaged before its
    last line. A final line without newline (cut by a kill) is left out;
    ``good_end`` is the offset after the last whole line. A file holding only
    a cut header gives no lines.
    """
    size = os.path.getsize(path)
    lines = []
    good_end = 0
    with open(path, "rb") as f:
        data = f.read()
    raws = data.split(b"\n")
    tail = raws.pop()  # b"" when the file ends with a newline
    if size == 0:
        return [], 0, 0
    if not raws:  # one line, no newline
        if tail.lstrip().startswith(b'{"sksearch_journal"'):
            return [], 0, size
        raise ValueError(f"{param}={path!r} is not an sksearch journal (line 1 is not a journal header).")
    for i, raw in enumerate(raws, 1):
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            obj = None
            bad = "is not valid JSON"
        else:
            bad = None
        if i == 1:
            if not isinstance(obj, dict) or obj.get("sksearch_journal") != FORMAT:
                raise ValueError(
                    f"{param}={path!r} is not an sksearch journal (line 1 is not a "
                    "journal header); give another path."
                )
        elif bad is None and (
            not isinstance(obj, dict) or any(k not in obj for k in _RECORD_KEYS)
        ):
            bad = "is not a journal record"
        if bad is not None:
            raise ValueError(
                f"{param}={path!r} is damaged: line {i} {bad} (the file is left as it is)."
            )
        lines.append(obj)
        good_end += len(raw) + 1
    return lines, good_end, size


class Journal:
    """Append-only journal of a search's evaluations at ``path``."""

    def __init__(self, path, header):
        self.path = os.fspath(path)
        self.header = header
        self.records = []
        self.failed = None  # why writing stopped (a full disk), if it did
        self._file = None
        self._end = None  # offset after the last whole line written

    @classmethod
    def open(cls, path, header):
        """Open ``path`` for a search with this ``header``; read what is there.

        Raises ValueError if the journal was written by another search.
        """
        journal = cls(os.path.expanduser(os.fspath(path)), header)
        if os.path.islink(journal.path):
            raise ValueError(
                f"checkpoint={journal.path!r} is a symbolic link; give the path of the "
                "journal itself."
            )
        if os.path.exists(journal.path) and not os.path.isfile(journal.path):
            # a device such as /dev/full reads forever and is no one's journal
            raise CheckpointError(
                f"checkpoint={journal.path!r} is not a regular file (a directory, a "
                "device or a pipe): the journal must be a file it can read back."
            )
        try:
            os.makedirs(os.path.dirname(os.path.abspath(journal.path)), exist_ok=True)
            # open without truncating, and lock before reading anything;
            # unbuffered, so that a failed write leaves nothing pending
            journal._file = open(journal.path, "a+b", buffering=0)
        except OSError as exc:
            raise CheckpointError(
                exc.errno, f"checkpoint={journal.path!r} cannot be written: {exc.strerror}"
            ) from exc
        try:
            journal._lock()
            lines, good_end, size = read_lines(journal.path, "checkpoint")
            if not lines:
                if size > 0:  # a header cut during the first write: ours
                    journal._file.truncate(0)
                try:
                    journal._append([header])
                except OSError as exc:
                    raise CheckpointError(
                        exc.errno,
                        f"checkpoint={journal.path!r} cannot be written: {exc.strerror}",
                    ) from exc
            else:
                journal._check(lines)
                if good_end < size:  # a last line cut by a kill
                    journal._file.truncate(good_end)
                    journal._end = good_end
                journal.records = lines[1:]
        except BaseException:
            journal.close()
            raise
        return journal

    def _lock(self):
        if fcntl is None:
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ValueError(
                f"checkpoint={self.path!r} is open in another search (its lock is held); "
                "two searches cannot write one journal at the same time."
            ) from None

    def _check(self, lines):
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
            # "its space differs", "its levels differ", "its X and Y differ"
            singular = len(what) <= 1 and not (what and what[0].endswith("s"))
            raise ValueError(
                f"checkpoint={self.path!r} was written by another search: its "
                f"{' and '.join(what) or 'fingerprint'} differ{'s' if singular else ''} "
                f"from this one's{hint}. Use another path, or delete the file to start "
                "again."
            )

    def _append(self, objects):
        """Write whole lines and fsync them; on an error (a full disk) cut the
        file back to its last whole record and raise."""
        if self._file is None:
            self._file = open(self.path, "ab", buffering=0)
        if self._end is None:
            self._end = os.fstat(self._file.fileno()).st_size
        data = memoryview(
            b"".join((json.dumps(o, allow_nan=False) + "\n").encode("utf-8") for o in objects)
        )
        try:
            while data:
                data = data[self._file.write(data) :]
            os.fsync(self._file.fileno())
        except OSError:
            try:
                self._file.truncate(self._end)
            except OSError:  # pragma: no cover - a resume drops a cut line anyway
                pass
            raise
        self._end = os.fstat(self._file.fileno()).st_size

    def n_on_disk(self):
        """The whole records the file holds now: what a resume will read. It
        can exceed ``len(records)`` when an interrupt (Ctrl-C) landed between
        a record's write and its count."""
        try:
            return max(len(read_lines(self.path, "checkpoint")[0]) - 1, 0)
        except (OSError, ValueError):
            return len(self.records)

    def write(self, candidates, vectors, scores, outs, n_splits, more):
        """Append one record per candidate (``outs``: n_splits raw results each)."""
        records = []
        for i, (cand, vec, score) in enumerate(zip(candidates, vectors, scores)):
            raw = outs[i * n_splits : (i + 1) * n_splits]
            records.append(
                {
                    "index": len(self.records) + len(records),
                    "time": time.time(),
                    "vector": [float_json(v) for v in vec],
                    "params": {k: _jsonable(v) for k, v in cand.items()},
                    "values": {k: value_json(v) for k, v in cand.items()},
                    "score": _score_json(score),
                    "more": {k: _jsonable(v[i]) for k, v in more.items()},
                    "out": [
                        {
                            "test_scores": _score_json(o["test_scores"]),
                            "train_scores": _score_json(o.get("train_scores")),
                            "n_test_samples": int(o["n_test_samples"]),
                            "fit_time": float_json(o["fit_time"]),
                            "score_time": float_json(o["score_time"]),
                            "fit_error": o.get("fit_error"),
                            # costs measured beside the fit (several objectives)
                            **{k: float_json(o[k]) for k in MEASURED if k in o},
                        }
                        for o in raw
                    ],
                }
            )
        if self.failed is not None:
            return
        try:
            self._append(records)
        except OSError as exc:
            # the results are kept in memory and the search goes on: a full
            # disk must not cost the evaluations it could not journal
            self.failed = f"{exc.strerror or exc}"
            warn_user(
                f"checkpoint={self.path!r} cannot be written ({self.failed}): it keeps "
                f"the {len(self.records)} evaluations journaled so far, and the search "
                "goes on without journaling more."
            )
            return
        self.records.extend(records)

    @classmethod
    def observations(cls, path, space, *, param="warm_start_from"):
        """(candidates, scores) of the journal at ``path``, read only, with
        ``None`` for a candidate outside ``space``.

        Each record's candidate is recovered from its recorded values in
        ``space`` (:func:`candidate_in_space`), whatever space the journal
        was written in. A record of an older journal, which kept its values
        only as plain JSON, is decoded from its vector where the journal's
        space is ``space`` itself (its fingerprint says so), else matched by
        its plain values. Of a multi-fidelity search, only the evaluations at
        its highest resource are taken.
        """
        path = os.path.expanduser(os.fspath(path))
        if not os.path.isfile(path):
            raise ValueError(f"{param}={path!r}: no such journal file.")
        lines = read_lines(path, param)[0]
        if not lines:
            return [], []
        same_space = lines[0].get("parts", {}).get("space") == space_token(space)
        records = lines[1:]
        keep = top_resource_rows([r.get("more", {}).get("n_resources") for r in records])
        records = [records[i] for i in keep]
        return [cls.candidate(r, space, same_space) for r in records], [
            cls.score(r) for r in records
        ]

    @classmethod
    def candidate(cls, record, space, same_space=True):
        """The candidate of ``space`` a record was evaluated at, or None.

        ``same_space``: the journal was written in ``space`` (its header's
        fingerprint), so that an older record's vector may be decoded.
        """
        if "values" in record:
            return candidate_in_space(space, record["values"])
        params = record.get("params")
        if same_space:
            try:
                vector = cls.vector(record)
                if vector.shape == (space.n_dims,):
                    candidate = space.decode(vector)
                    # a number is its recorded value (the vector's decoding
                    # may differ in its last digit); choices come from the vector
                    sub = space.subspaces[space.subspace_of(vector)]
                    for name, dim in sub.items():
                        value = params.get(name) if isinstance(params, dict) else None
                        if not dim.is_categorical and same_numeric_type(dim, value):
                            candidate[name] = value
                    return candidate
            except (ValueError, TypeError, IndexError):
                pass
        return candidate_in_space(space, params, legacy=True)

    @staticmethod
    def vector(record):
        return np.array([float_from_json(v) for v in record["vector"]], dtype=float)

    @staticmethod
    def score(record):
        """The score the strategy was told: a float, or with several
        objectives an array of them."""
        score = record["score"]
        if isinstance(score, list):
            return np.array([float_from_json(v) for v in score], dtype=float)
        return float_from_json(score)

    @staticmethod
    def out(record, return_train_score):
        """The per-fold results of a record, as ``_fit_and_score`` returns them."""
        outs = []
        for o in record["out"]:
            d = {
                "test_scores": _score_from_json(o["test_scores"]),
                "n_test_samples": o["n_test_samples"],
                "fit_time": float_from_json(o["fit_time"]),
                "score_time": float_from_json(o["score_time"]),
                "fit_error": o["fit_error"],
            }
            if return_train_score:
                d["train_scores"] = _score_from_json(o["train_scores"])
            d.update({k: float_from_json(o[k]) for k in MEASURED if k in o})
            outs.append(d)
        return outs

    def close(self):
        if self._file is not None:
            if fcntl is not None:
                try:
                    fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
                except OSError:
                    pass
            self._file.close()
            self._file = None
