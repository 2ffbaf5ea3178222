"""Command line: ``python -m benchmarks run|report|list``."""

import argparse
import datetime as _dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"


def _ints(text):
    return tuple(int(x) for x in text.split(",") if x.strip())


def _strs(text):
    return tuple(x.strip() for x in text.split(",") if x.strip())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a preset, append JSON lines to --out")
    run.add_argument("--preset", default="quick", help="smoke, quick, parallel or full")
    run.add_argument("--problems", type=_strs, help="comma-separated problem names")
    run.add_argument("--seeds", type=_ints, help="comma-separated seeds, e.g. 0,1,2")
    run.add_argument("--n-iter", type=_ints, dest="n_iters", help="budgets, e.g. 40,100")
    run.add_argument("--n-jobs", type=_ints, dest="n_jobs", help="workers, e.g. 1 or 1,2")
    run.add_argument("--baseline-n", type=int, help="random configurations in the baseline")
    run.add_argument("--adapters", default=None,
                     help="comma-separated name prefixes, e.g. sklearn,sksearch,optuna-gp")
    run.add_argument("--out", type=Path, default=None,
                     help="JSON lines file (default benchmarks/results/<preset>-<time>.jsonl)")
    run.add_argument("--cache-dir", type=Path, default=None, help="baseline cache directory")
    run.add_argument("--no-resume", action="store_true",
                     help="rerun runs already present in --out")

    rep = sub.add_parser("report", help="Markdown tables and figures from JSON lines")
    rep.add_argument("inputs", nargs="*", type=Path,
                     help="JSON lines files (default: every benchmarks/results/*.jsonl)")
    rep.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    rep.add_argument("--figures", type=Path, default=None,
                     help="figure directory (default: figures/ beside --output)")
    rep.add_argument("--note", action="append", default=[],
                     help="a line to print under the header (e.g. what was reduced)")

    sub.add_parser("list", help="list problems, adapters and presets")
    args = parser.parse_args(argv)

    if args.command == "run":
        from .baseline import DEFAULT_CACHE_DIR
        from .presets import PRESETS
        from .runner import run_preset

        if args.preset not in PRESETS:
            parser.error(f"unknown preset {args.preset!r}; known: {', '.join(PRESETS)}")
        preset = PRESETS[args.preset].with_overrides(
            problems=args.problems, seeds=args.seeds, n_iters=args.n_iters,
            n_jobs=args.n_jobs, baseline_n=args.baseline_n,
        )
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = args.out or RESULTS_DIR / f"{preset.name}-{stamp}.jsonl"
        run_preset(preset, out=out, adapters_spec=args.adapters,
                   cache_dir=args.cache_dir or DEFAULT_CACHE_DIR, resume=not args.no_resume)
        print(f"results: {out}")
    elif args.command == "report":
        from .report import write_report

        inputs = args.inputs or sorted(RESULTS_DIR.glob("*.jsonl"))
        if not inputs:
            parser.error("no results: run `python -m benchmarks run` first")
        figures = args.figures or args.output.parent / "figures"
        write_report(inputs, args.output, figures, notes=args.note, argv=sys.argv[1:])
        print(f"wrote {args.output}")
    else:
        from .adapters import all_adapters
        from .presets import PRESETS
        from .problems import PROBLEMS

        print("problems:")
        for p in PROBLEMS.values():
            print(f"  {p.name:22s} {p.task:15s} {', '.join(p.dimension_kinds())}")
        print("adapters:")
        for a in all_adapters():
            ok, why = a.available()
            print(f"  {a.name:22s} {'ok' if ok else why}")
        print("presets:")
        for p in PRESETS.values():
            print(f"  {p.name:10s} {p.description}")


if __name__ == "__main__":
    main()
