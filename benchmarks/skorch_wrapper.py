"""skorch against sksearch's own torch wrapper, on the NAS digits data.

skorch (``NeuralNetClassifier``) is the well-kept library for "a torch network
as a scikit-learn estimator"; sksearch's network estimators
(:class:`~sksearch.nas.MLPNetClassifier`, :class:`~sksearch.nas.ConvNetClassifier`)
are written by hand. This script measures both on what NAS needs of them, with
the same network (the module is built by the same ``build_mlp`` / ``build_cnn``
for both), optimiser (Adam), learning rate, epochs, batch size, preprocessing
(a ``StandardScaler`` in a Pipeline for both; sksearch's own standardisation is
off) and seed, on the split of ``benchmarks/nas_digits.py`` (stratified 75/25 of
``load_digits``, ``random_state=seed``):

* **time**: wall and CPU seconds of ``fit`` per epoch, and of ``predict``; the
  two wrappers run interleaved seed by seed (the order alternates), so the
  ratios see the same machine load;
* **accuracy** on the test part;
* **pickling**: size, dumps + loads time, whether the round trip predicts the
  same, and whether the pickle loads and predicts the same in a fresh Python
  process (the warnings it raises there are counted);
* **warm start**, the continuation Hyperband's rungs need: ``E`` epochs, then
  ``warm_start=True`` and ``E`` more, against one fit of ``2E`` epochs from the
  same seed, with (a) nothing in between, (b) another fit drawing from torch's
  global generator in between (another candidate in the same worker), and
  (c) a pickle round trip and another state of torch's global generator in
  between (Hyperband keeps a rung's model on disk and continues it in
  whichever worker the next rung's job lands). "Same" is the largest absolute difference of the predicted
  probabilities on the test part (0 is bit-identical);
* **sklearn's estimator checks** (``check_estimator(..., on_fail=None)``), as
  configured for the digits (``--checks``).

skorch has no ``random_state``: it is seeded with ``torch.manual_seed(seed)``
right before ``fit``. Its validation split is turned off (``train_split=None``)
and its criterion is ``CrossEntropyLoss`` on logits, as sksearch's. Both use
``--threads`` torch threads (1 by default, the less noisy on a shared machine).

Run from the repository root (``pip install skorch``; CPU only)::

    nice -n 19 python -m benchmarks.skorch_wrapper --seeds 0 1 2 --arch mlp cnn --checks

Prints one JSON row per (arch, wrapper, seed) and a Markdown table of means
and of the ratios skorch / sksearch; writes the rows to
``benchmarks/results/skorch_wrapper.json``. ``--quick`` is a smoke run (one
seed, a few epochs, a small network, no checks).
"""

import argparse
import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import sklearn
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from torch import nn

from benchmarks.nas_digits import _split
from sksearch.nas import ConvNetClassifier, MLPNetClassifier
from sksearch.nas._networks import build_cnn, build_mlp

try:
    import skorch
    from skorch import NeuralNetClassifier
except ImportError:  # pragma: no cover
    raise SystemExit("benchmarks.skorch_wrapper needs skorch: pip install skorch") from None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results", "skorch_wrapper.json")

# the networks of both wrappers (batch norm off: the MLP is what NAS finds on digits)
CONFIGS = {
    "mlp": dict(hidden=(128, 64), activation="relu", dropout=0.1, batch_norm=False),
    "cnn": dict(channels=(16, 32), kernel_sizes=(3, 3), pooling="max", dense=(64,),
                activation="relu", dropout=0.0, batch_norm=False),
}
TRAINING = {"mlp": dict(max_epochs=60, batch_size=64, lr=1e-3),
            "cnn": dict(max_epochs=30, batch_size=64, lr=1e-3)}
CHECK_EPOCHS = 30  # enough for check_classifiers_train's accuracy on its blobs
QUICK = {"mlp": dict(hidden=(16,)), "cnn": dict(channels=(4,), kernel_sizes=(3,), dense=(8,))}


# --- skorch's side: the same module, and the casts skorch needs ----------------


class DigitsMLP(nn.Module):
    """``build_mlp``'s network as a module class, the way skorch wants it
    (``module__<arg>`` parameters)."""

    def __init__(self, n_in=64, n_out=10, hidden=(128, 64), activation="relu", dropout=0.0,
                 batch_norm=False):
        super().__init__()
        self.net = build_mlp(n_in, n_out, hidden=tuple(hidden), activation=activation,
                             dropout=dropout, batch_norm=batch_norm)

    def forward(self, X):
        return self.net(X)


class DigitsCNN(nn.Module):
    """``build_cnn``'s network as a module class, for skorch."""

    def __init__(self, input_shape=(1, 8, 8), n_out=10, channels=(16, 32), kernel_sizes=(3, 3),
                 pooling="max", dense=(64,), activation="relu", dropout=0.0, batch_norm=False):
        super().__init__()
        self.net = build_cnn(tuple(input_shape), n_out, channels=tuple(channels),
                             kernel_sizes=tuple(kernel_sizes), pooling=pooling,
                             dense=tuple(dense), activation=activation, dropout=dropout,
                             batch_norm=batch_norm)

    def forward(self, X):
        return self.net(X)


def to_float32(X):
    """skorch passes arrays to torch as they are: the module needs float32."""
    return np.asarray(X, dtype=np.float32)


def to_images(X):
    """Flat 8x8 digits as ``(n, 1, 8, 8)`` float32 images, for skorch's CNN."""
    return np.asarray(X, dtype=np.float32).reshape(len(X), 1, 8, 8)


def make_sksearch(arch, seed, epochs, threads, quick):
    cfg = {**CONFIGS[arch], **(QUICK[arch] if quick else {})}
    tr = dict(TRAINING[arch], max_epochs=epochs)
    common = dict(lr=tr["lr"], batch_size=tr["batch_size"], max_epochs=epochs,
                  optimizer="adam", standardize=False, device="cpu", n_threads=threads,
                  random_state=seed, activation=cfg["activation"], dropout=cfg["dropout"],
                  batch_norm=cfg["batch_norm"])
    if arch == "mlp":
        net = MLPNetClassifier(cfg["hidden"], **common)
    else:
        net = ConvNetClassifier(conv_channels=cfg["channels"], kernel_sizes=cfg["kernel_sizes"],
                                pooling=cfg["pooling"], dense_sizes=cfg["dense"], **common)
    return make_pipeline(StandardScaler(), net)


def make_skorch(arch, seed, epochs, threads, quick):
    cfg = {**CONFIGS[arch], **(QUICK[arch] if quick else {})}
    tr = TRAINING[arch]
    module = DigitsMLP if arch == "mlp" else DigitsCNN
    net = NeuralNetClassifier(
        module, criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam, lr=tr["lr"],
        batch_size=tr["batch_size"], max_epochs=epochs, train_split=None,
        iterator_train__shuffle=True, device="cpu", verbose=0,
        **{f"module__{k}": v for k, v in cfg.items()},
    )
    cast = FunctionTransformer(to_float32 if arch == "mlp" else to_images)
    return make_pipeline(StandardScaler(), cast, net)


MAKERS = {"sksearch": make_sksearch, "skorch": make_skorch}


def _fit(name, pipe, X, y, seed):
    if name == "skorch":  # skorch has no random_state: seed torch's generator
        torch.manual_seed(seed)
    return pipe.fit(X, y)


def _continue(name, pipe, X, y, epochs):
    """``epochs`` more epochs of the fitted pipeline's network (warm start)."""
    net = pipe[-1]
    net.set_params(warm_start=True, max_epochs=epochs)
    pipe.fit(X, y)
    net.set_params(warm_start=False)
    return pipe


# --- measures -----------------------------------------------------------------------


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _load_elsewhere(blob, X_test):
    """Load a pickle in a fresh Python process; its predictions and warnings."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "model.pkl"), os.path.join(tmp, "out.json")
        np.save(os.path.join(tmp, "X.npy"), X_test)
        with open(src, "wb") as f:
            f.write(blob)
        code = (
            "import json, pickle, sys, warnings\n"
            "import numpy as np\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            f"    with open({src!r}, 'rb') as f:\n"
            "        model = pickle.load(f)\n"
            f"    pred = model.predict(np.load({os.path.join(tmp, 'X.npy')!r}))\n"
            "res = {'pred': pred.tolist(),\n"
            "       'warnings': [f'{x.category.__name__}: {str(x.message)[:120]}' for x in w]}\n"
            f"with open({out!r}, 'w') as f:\n"
            "    json.dump(res, f)\n"
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp, env=env,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            return None, [proc.stderr.strip().splitlines()[-1][:200]]
        with open(out) as f:
            res = json.load(f)
        return np.asarray(res["pred"]), res["warnings"]


def _max_diff(a, b):
    return float(np.max(np.abs(a - b)))


def measure(arch, name, seed, *, epochs, threads, quick):
    X_tr, X_te, y_tr, y_te = _split(seed)
    make = MAKERS[name]
    row = {"arch": arch, "wrapper": name, "seed": seed, "epochs": epochs, "threads": threads}

    pipe, wall, cpu = _timed(lambda: _fit(name, make(arch, seed, epochs, threads, quick),
                                          X_tr, y_tr, seed))
    row.update(fit_s=wall, fit_cpu_s=cpu, epoch_ms=1e3 * wall / epochs,
               epoch_cpu_ms=1e3 * cpu / epochs)
    pred, wall, _ = _timed(lambda: pipe.predict(X_te))
    row.update(predict_ms=1e3 * wall, accuracy=float(np.mean(pred == y_te)))
    proba = pipe.predict_proba(X_te)

    blob, dump_s, _ = _timed(lambda: pickle.dumps(pipe))
    back, load_s, _ = _timed(lambda: pickle.loads(blob))
    row.update(pickle_kb=len(blob) / 1024, pickle_ms=1e3 * (dump_s + load_s),
               pickle_same=bool(_max_diff(back.predict_proba(X_te), proba) == 0))
    there, load_warnings = _load_elsewhere(blob, X_te)
    row.update(fresh_process_same=bool(there is not None and np.array_equal(there, pred)),
               fresh_process_warnings=load_warnings)

    # warm start: E + E epochs against one fit of 2E, from the same seed
    half = max(1, epochs // 2)
    long = _fit(name, make(arch, seed, 2 * half, threads, quick), X_tr, y_tr, seed)
    reference = long.predict_proba(X_te)
    for case in ("plain", "global_rng_draw", "pickle"):
        first = _fit(name, make(arch, seed, half, threads, quick), X_tr, y_tr, seed)
        if case == "global_rng_draw":
            torch.rand(16)  # what another candidate's fit in this worker would do
        elif case == "pickle":  # Hyperband's next rung, in whichever worker it lands
            first = pickle.loads(pickle.dumps(first))
            torch.manual_seed(seed + 1000)
        cont = _continue(name, first, X_tr, y_tr, half)
        row[f"warm_{case}_diff"] = _max_diff(cont.predict_proba(X_te), reference)
        row[f"warm_{case}_epochs"] = _trained_epochs(name, cont[-1])
    return row


def _trained_epochs(name, net):
    return int(net.n_iter_) if name == "sksearch" else len(net.history_)


def run_checks(arch, name, threads):
    """sklearn's estimator checks on the bare network estimator (no Pipeline),
    configured as for the digits, with ``CHECK_EPOCHS`` epochs: (passed,
    failed, skipped, names of the failed checks)."""
    from sklearn.utils.estimator_checks import check_estimator

    pipe = MAKERS[name](arch, 0, CHECK_EPOCHS, threads, quick=False)
    est = pipe[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(est, on_fail=None)
    status = [r["status"] for r in results]
    failed = sorted({r["check_name"] for r in results if r["status"] == "failed"})
    return status.count("passed"), status.count("failed"), status.count("skipped"), failed


# --- report -----------------------------------------------------------------------


METRICS = [
    ("epoch_ms", "fit ms / epoch", "{:.1f}"),
    ("epoch_cpu_ms", "fit CPU ms / epoch", "{:.1f}"),
    ("predict_ms", "predict ms (450 rows)", "{:.2f}"),
    ("accuracy", "test accuracy", "{:.4f}"),
    ("pickle_kb", "pickle KiB", "{:.1f}"),
    ("pickle_ms", "pickle dumps+loads ms", "{:.2f}"),
]


def make_table(rows):
    lines = []
    for arch in sorted({r["arch"] for r in rows}, key=["mlp", "cnn"].index):
        by = {w: [r for r in rows if r["arch"] == arch and r["wrapper"] == w]
              for w in ("sksearch", "skorch")}
        if not all(by.values()):
            continue
        seeds = sorted({r["seed"] for r in by["sksearch"]} & {r["seed"] for r in by["skorch"]})
        lines += [f"**{arch.upper()}** ({len(seeds)} seeds, {by['sksearch'][0]['epochs']} epochs, "
                  f"{by['sksearch'][0]['threads']} torch thread(s))", "",
                  "| measure | sksearch | skorch | skorch / sksearch (per-seed ratios: "
                  "mean [min, max]) |",
                  "|---|---|---|---|"]
        for key, label, fmt in METRICS:
            a = {r["seed"]: r[key] for r in by["sksearch"]}
            b = {r["seed"]: r[key] for r in by["skorch"]}
            ratios = [b[s] / a[s] for s in seeds if a[s]]
            ma, mb = np.mean([a[s] for s in seeds]), np.mean([b[s] for s in seeds])
            sa = np.std([a[s] for s in seeds])
            sb = np.std([b[s] for s in seeds])
            ratio = (f"{np.mean(ratios):.2f} [{min(ratios):.2f}, {max(ratios):.2f}]"
                     if ratios else "-")
            lines.append(f"| {label} | {fmt.format(ma)} ± {fmt.format(sa)} | "
                         f"{fmt.format(mb)} ± {fmt.format(sb)} | {ratio} |")
        for key, label in [("pickle_same", "pickle round trip predicts the same"),
                           ("fresh_process_same", "pickle loads + predicts the same in a "
                                                  "fresh process")]:
            lines.append(f"| {label} | {_share(by['sksearch'], key)} | "
                         f"{_share(by['skorch'], key)} | |")
        lines.append(f"| warnings when loading in a fresh process | "
                     f"{sum(len(r['fresh_process_warnings']) for r in by['sksearch'])} | "
                     f"{sum(len(r['fresh_process_warnings']) for r in by['skorch'])} | |")
        for case, label in [("plain", "E + E epochs vs 2E: max |Δ proba|"),
                            ("global_rng_draw", "... with a global torch draw in between"),
                            ("pickle", "... with a pickle round trip, other process state")]:
            k = f"warm_{case}_diff"
            lines.append(f"| {label} | {max(r[k] for r in by['sksearch']):.2g} | "
                         f"{max(r[k] for r in by['skorch']):.2g} | |")
        lines.append("")
    return "\n".join(lines)


def _share(rows, key):
    return f"{sum(bool(r[key]) for r in rows)}/{len(rows)}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", default=["mlp"], choices=["mlp", "cnn"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs per fit (default: 60 for the MLP, 30 for the CNN)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--checks", action="store_true",
                        help="also run sklearn's estimator checks on both")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: one seed, 4 epochs, small networks, no checks")
    parser.add_argument("--out", default=RESULTS)
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.epochs, args.checks = args.seeds[:1], args.epochs or 4, False
    torch.set_num_threads(args.threads)  # skorch's threads; sksearch sets its own

    for name in MAKERS:  # the first fit pays for torch's start-up: not timed
        for arch in args.arch:
            X_tr, _, y_tr, _ = _split(0)
            _fit(name, MAKERS[name](arch, 0, 1, args.threads, True), X_tr[:200], y_tr[:200], 0)
    rows = []
    for seed in args.seeds:
        for arch in args.arch:
            epochs = args.epochs or TRAINING[arch]["max_epochs"]
            order = ["sksearch", "skorch"] if seed % 2 == 0 else ["skorch", "sksearch"]
            for name in order:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    row = measure(arch, name, seed, epochs=epochs, threads=args.threads,
                                  quick=args.quick)
                rows.append(row)
                print(json.dumps(row), flush=True)
    checks = {}
    if args.checks:
        for arch in args.arch:
            for name in MAKERS:
                checks[f"{arch}/{name}"] = run_checks(arch, name, args.threads)
                print(json.dumps({f"checks {arch}/{name}": checks[f"{arch}/{name}"]}),
                      flush=True)

    table = make_table(rows)
    if checks:
        table += f"\nsklearn's estimator checks (bare network estimator, {CHECK_EPOCHS} epochs):\n\n"
        table += "| estimator | passed | failed | skipped |\n|---|---|---|---|\n"
        for key, (p, f, s, _) in checks.items():
            table += f"| {key} | {p} | {f} | {s} |\n"
    print(table)
    meta = {"command": "python -m benchmarks.skorch_wrapper " + " ".join(argv or sys.argv[1:]),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_avg": os.getloadavg(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "torch": torch.__version__, "skorch": skorch.__version__,
            "sklearn": sklearn.__version__}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"meta": meta, "rows": rows, "checks": checks}, f, indent=1)
    return rows, checks


if __name__ == "__main__":
    # run from the importable module, so that the pickles name
    # ``benchmarks.skorch_wrapper.to_float32``, not ``__main__.to_float32``
    from benchmarks.skorch_wrapper import main as _main

    _main()
