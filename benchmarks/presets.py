"""Named benchmark configurations.

``full`` is the reference definition: every problem, at least five
seeds, budgets of 40 and 100 evaluations. A run may override any field on
the command line (``--seeds``, ``--problems``, ``--n-iter``...); the
overrides are recorded with every result and shown in the report.
"""

from dataclasses import dataclass, field, replace

from .problems import PROBLEMS

__all__ = ["PRESETS", "Preset"]


@dataclass(frozen=True)
class Preset:
    name: str
    problems: tuple
    seeds: tuple
    n_iters: tuple
    n_jobs: tuple = (1,)
    baseline_n: int = 200
    description: str = ""
    extra: dict = field(default_factory=dict)

    def with_overrides(self, **kwargs):
        return replace(self, **{k: v for k, v in kwargs.items() if v is not None})


PRESETS = {
    p.name: p
    for p in [
        Preset(
            "smoke",
            problems=("svc_breast_cancer", "knn_wine"),
            seeds=(0,),
            n_iters=(6,),
            baseline_n=20,
            description="CI smoke test: seconds, checks the harness end to end",
        ),
        Preset(
            "quick",
            problems=("svc_breast_cancer", "rf_wine", "elasticnet_diabetes", "automl_digits"),
            seeds=(0, 1),
            n_iters=(20,),
            description="a few problems, 2 seeds, 20 evaluations: minutes on 2 cores",
        ),
        Preset(
            "parallel",
            problems=("svc_digits", "rf_wine"),
            seeds=(0, 1),
            n_iters=(20,),
            n_jobs=(2,),
            description="n_jobs=2: worker utilisation of each library's parallel mode",
        ),
        Preset(
            "full",
            problems=tuple(PROBLEMS),
            seeds=(0, 1, 2, 3, 4),
            n_iters=(40, 100),
            description="every problem, 5 seeds, 40 and 100 evaluations",
        ),
    ]
}
