"""The stability sweep (issue #12): a Latin hypercube over every plausible range of the params files
and every narrative's [uncertain] box, short runs of each narrative's scenario, and a count of the
runs in which a guard bound. `make test` runs ≥ 200 points (tests/integration/test_stability_sweep.py);
benchmarks/bench_stability.py runs ≥ 2,000.

Each point draws every parameter that has a plausible `range` in the params files (uniformly, or as
the narrative draws it where the narrative's box names it, with the narrative's range); points cycle
through the shipped narratives, each point running its narrative's scenario. Size parameters that
only make a run slower (the crypto holders' row count) are held at a small value."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import qmc

from ...config import param_specs
from ...io import read_toml
from ..runner import run
from ..stress.narratives import list_narratives

# held fixed: they set how long a run takes, not how prices form
SIZE_KEYS = {"retail_crypto.n_holders": 10000}
SKIP_PREFIXES = ("run.",)


@dataclass(frozen=True)
class Box:
    """One axis: a key and its draw (uniform or log-uniform on [lo, hi]; integers rounded)."""

    key: str
    lo: float
    hi: float
    log: bool = False
    integer: bool = False

    def value(self, u: float) -> float | int:
        if self.log and self.lo > 0:
            x = math.exp(math.log(self.lo) + u * (math.log(self.hi) - math.log(self.lo)))
        else:
            x = self.lo + u * (self.hi - self.lo)
        return int(round(x)) if self.integer else float(x)


def plausible_boxes() -> dict[str, Box]:
    """Every parameter with a plausible range in the params files."""
    out = {}
    for key, spec in param_specs().items():
        if spec.range is None or key in SIZE_KEYS or key.startswith(SKIP_PREFIXES):
            continue
        if isinstance(spec.default, bool) or not isinstance(spec.default, (int, float)):
            continue
        lo, hi = float(spec.range[0]), float(spec.range[1])
        out[key] = Box(key, lo, hi, integer=isinstance(spec.default, int))
    return out


def narrative_boxes() -> list[tuple[str, str, dict[str, Box]]]:
    """(narrative, scenario, its [uncertain] box as axes) for every shipped narrative."""
    specs = param_specs()
    out = []
    for path in list_narratives():
        raw = read_toml(path, "narrative")
        axes = {}
        for key, ax in raw.get("uncertain", {}).items():
            spec = specs[key]
            rng = ax.get("range", spec.range)
            if rng is None or "values" in ax:
                continue
            axes[key] = Box(key, float(rng[0]), float(rng[1]), log=ax.get("dist") == "loguniform",
                            integer=isinstance(spec.default, int) and not isinstance(spec.default, bool))
        out.append((raw["name"], raw["scenario"], axes))
    return out


@dataclass
class Point:
    narrative: str
    scenario: str
    overrides: dict[str, Any]


def design(n: int, seed: int = 12) -> list[Point]:
    """n points of a Latin hypercube over the union of all boxes; point i runs narrative i mod k."""
    base = plausible_boxes()
    narr = narrative_boxes()
    keys = sorted(set(base) | {k for _, _, b in narr for k in b})
    sampler = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(seed))
    u = sampler.random(n)
    pts = []
    for i in range(n):
        name, scenario, box = narr[i % len(narr)]
        o: dict[str, Any] = dict(SIZE_KEYS)
        for j, k in enumerate(keys):
            b = box.get(k) or base.get(k)
            if b is not None:
                o[k] = b.value(float(u[i, j]))
        pts.append(Point(name, scenario, o))
    return pts


@dataclass
class Outcome:
    point: Point
    stable: bool
    guard_events: int
    reasons: list[str]
    worst_day: float         # worst daily SPX log return
    worst_btc_day: float
    max_rounds: int


def run_point(pt: Point, days: int, seed: int = 1) -> Outcome:
    res = run(pt.scenario, days=days, seed=seed, overrides=pt.overrides, amplification=False)
    st = res.summary["stability"]
    ts = res.timeseries
    r = np.diff(np.log(ts["SPX"].to_numpy()))
    rb = np.diff(np.log(ts["BTC"].to_numpy()))
    return Outcome(pt, bool(st["stable"]), int(st["guard_events"]), list(st["reasons"]), float(r.min()),
                   float(rb.min()), int(res.summary["metrics"]["max_rounds_in_a_day"]))
