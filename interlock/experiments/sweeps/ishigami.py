"""The Ishigami function as a test model with known Sobol' indices, behind the runner's interface.

    y = sin(x1) + a·sin²(x2) + b·x3⁴·sin(x1),   x1, x2, x3 ~ U(−π, π)

`run` has `runner.run`'s signature and returns a `RunResult` whose summary metric is `y`, so a
sweep with `model = "ishigami"` goes through exactly the same path as a sweep of the capital-flow
model (spec, design, jobs, executors, part files, analysis) — only the per-run function differs.
`ishigami.noise` (default 0) adds seeded Gaussian noise, to exercise the aggregation over seeds.
Analytic indices: Ishigami & Homma (1990); Sobol' & Levitan (1999).
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ...config import ParamSpec, Params
from ...errors import InputError
from ..runner import RunResult

_SOURCE = "Ishigami & Homma (1990), test function for uncertainty importance; a = 7, b = 0.1 customary"


def param_specs() -> dict[str, ParamSpec]:
    """The test model's parameters, in the same form as the capital-flow model's."""
    x = dict(unit="", min=-math.pi, max=math.pi, range=(-math.pi, math.pi), source=_SOURCE,
             file="interlock/experiments/sweeps/ishigami.py")
    return {
        "ishigami.x1": ParamSpec("ishigami.x1", 0.0, **x),
        "ishigami.x2": ParamSpec("ishigami.x2", 0.0, **x),
        "ishigami.x3": ParamSpec("ishigami.x3", 0.0, **x),
        "ishigami.a": ParamSpec("ishigami.a", 7.0, file=x["file"], source=_SOURCE),
        "ishigami.b": ParamSpec("ishigami.b", 0.1, file=x["file"], source=_SOURCE),
        "ishigami.noise": ParamSpec("ishigami.noise", 0.0, file=x["file"], min=0.0,
                                    source="s.d. of seeded noise added to y (tests only)"),
    }


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1) -> float:
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3 ** 4 * math.sin(x1)


def analytic_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """First-order (S1) and total (ST) Sobol' indices of x1, x2, x3."""
    pi4, pi8 = math.pi ** 4, math.pi ** 8
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": {"ishigami.x1": v1 / v, "ishigami.x2": v2 / v, "ishigami.x3": 0.0},
            "ST": {"ishigami.x1": (v1 + v13) / v, "ishigami.x2": v2 / v, "ishigami.x3": v13 / v}}


def run(scenario: Any = None, *, days: int | None = None, seed: int | None = None,
        overrides: dict[str, Any] | None = None, disabled: Iterable[str] = (), progress: bool = False,
        amplification: bool = False, attribution: bool = False) -> RunResult:
    """Evaluate the Ishigami function at `overrides` (key paths `ishigami.x1` …); `scenario`,
    `days` and the agent switches do not apply and are recorded as given."""
    specs = param_specs()
    values = {k: s.default for k, s in specs.items()}
    for k, v in (overrides or {}).items():
        if k not in specs:
            raise InputError("unknown parameter", file="ishigami", key=k, allowed=", ".join(specs))
        values[k] = specs[k].check(v, "ishigami")
    seed = 1 if seed is None else int(seed)
    y = ishigami(values["ishigami.x1"], values["ishigami.x2"], values["ishigami.x3"],
                 values["ishigami.a"], values["ishigami.b"])
    if values["ishigami.noise"] > 0:
        y += values["ishigami.noise"] * float(np.random.default_rng(seed).standard_normal())
    ts = pd.DataFrame({"day": [0], "y": [y]})
    summary = {"scenario": "ishigami", "seed": seed, "days": days or 1, "disabled": list(disabled),
               "overrides": dict(overrides or {}), "metrics": {"y": y}}
    return RunResult("ishigami", seed, days or 1, Params(values), ts, pd.DataFrame(), pd.DataFrame(),
                     summary)
