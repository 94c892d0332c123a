"""One run of a sweep: the job (what `runner.run` needs and where its row goes), the per-run
functions a sweep can call (`MODELS`, or any "module:function"), and what a run leaves behind —
one summary row of metrics (`summary_metrics` by default) and optionally a thinned time series.

Workers import this module and nothing of the sweep's bookkeeping (`engine`); a spec (`spec`)
checks its metric function with `resolve` before anything runs."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import inspect
import re
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ...io import dumps_json, flatten
from ..metrics import flat_metrics
from ..scenarios import load_scenario

# the per-run functions a spec can name (`model = "…"`), each "module:function" with runner.run's
# signature returning a RunResult; any other "module:function" works through the Python API
MODELS = {
    "interlock": "interlock.experiments.runner:run",
    "ishigami": "interlock.experiments.sweeps.ishigami:run",     # the test model with known indices
}
RUNNER = MODELS["interlock"]
LEAD = ["run_id", "point_id", "seed", "status", "error"]


@dataclass(frozen=True)
class Job:
    """One run: what `runner.run` needs, plus where its row goes."""

    run_id: int
    point_id: int
    scenario: Any                     # shipped name, path, Scenario object, or None (test models)
    overrides: Mapping[str, Any]
    seed: int
    days: int
    disabled: tuple[str, ...] = ()
    amplification: bool = False
    model: str = RUNNER


@dataclass(frozen=True)
class RunOptions:
    """What every run of a sweep keeps: its metrics and, optionally, a thinned time series."""

    metrics: str | Callable | None = None
    timeseries_every: int | None = None
    timeseries_columns: tuple[str, ...] | None = None

    def describe(self) -> dict:
        m = self.metrics
        ref = m if isinstance(m, str) or m is None else \
            f"{m.__module__}:{getattr(m, '__qualname__', type(m).__qualname__)}"
        return {"metrics": ref or "summary_metrics", "timeseries_every": self.timeseries_every,
                "timeseries_columns": list(self.timeseries_columns or []) or None}


# the metric sets shipped with the package, by the short name a spec may use (`metrics = "summary"`)
METRIC_SETS = {"summary": "interlock.experiments.sweeps.jobs:summary_metrics"}


@lru_cache(maxsize=1)
def _dependencies() -> frozenset[str]:
    """Import names of interlock's dependencies, direct and transitive (never a user's metrics)."""
    seen: set[str] = set()
    todo = ["interlock"]
    while todo:
        name = todo.pop()
        try:
            reqs = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        for r in reqs:
            if "extra ==" in r:
                continue
            dep = re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0].lower().replace("_", "-")
            if dep and dep not in seen:
                seen.add(dep)
                todo.append(dep)
    tops = set()
    for top, dists in md.packages_distributions().items():
        if any(d.lower().replace("_", "-") in seen for d in dists):
            tops.add(top)
    return frozenset(tops)


def check_metrics_ref(ref: str) -> str:
    """The "module:function" a spec's `metrics` may name, or ValueError saying why not: a shipped
    metric set (`METRIC_SETS`, by name or reference) or a function defined in a module you
    installed — never the standard library, interlock's other code or its dependencies (a spec
    file must not be able to call `os:system`). The module is imported only once its name passed."""
    ref = METRIC_SETS.get(ref, ref)
    if ref in METRIC_SETS.values():
        return ref
    if ref.count(":") != 1 or not all(ref.split(":")):
        raise ValueError(f"expected a shipped metric set ({', '.join(METRIC_SETS)}) or "
                         f"'package.module:function', got {ref!r}")
    mod, attr = ref.split(":")
    top = mod.split(".")[0]
    if top in sys.stdlib_module_names or top in ("builtins", "__main__", "interlock") or top in _dependencies():
        raise ValueError(f"{mod!r} is the standard library, interlock or one of its dependencies, "
                         "not a metrics module of yours")
    obj = resolve(ref)
    if not inspect.isfunction(obj) or getattr(obj, "__module__", None) != mod:
        raise ValueError(f"{ref!r} is not a function defined in {mod}")
    return ref


@lru_cache(maxsize=64)
def resolve(ref: str) -> Any:
    """Import "package.module:attribute" (cached per process)."""
    if ":" not in ref:
        raise ValueError(f"expected 'package.module:function', got {ref!r}")
    mod, attr = ref.split(":", 1)
    obj = importlib.import_module(mod)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def summary_metrics(result) -> dict[str, Any]:
    """The default per-run metrics: the run summary's metrics under their one name each
    (`experiments.metrics.flat_metrics`: `SPX.max_drawdown`, `amplification.SPX`, `peak_VOL_1M`)."""
    return flat_metrics(result.summary.get("metrics", {}))


def _cell(v: Any) -> float | str:
    if v is None:
        return float("nan")
    if isinstance(v, (bool, int, float, np.integer, np.floating, np.bool_)):
        return float(v)
    if isinstance(v, str):
        return v
    return dumps_json(v, indent=None)           # a list or table: its JSON text


def _thin(ts: pd.DataFrame, opts: RunOptions, run_id: int) -> pd.DataFrame:
    keep = ts[ts["day"] % opts.timeseries_every == 0]
    cols = list(opts.timeseries_columns) if opts.timeseries_columns else \
        [c for c in ts.columns if c not in ("day", "date")]
    missing = [c for c in cols if c not in ts.columns]
    if missing:
        raise KeyError(f"unknown time-series columns {missing}")
    data = {"run_id": np.full(len(keep), run_id, dtype=np.int64), "day": keep["day"].to_numpy(np.int64)}
    if "date" in keep:
        data["date"] = keep["date"].to_numpy()
    for c in cols:
        data[c] = keep[c].to_numpy(dtype=np.float64)
    return pd.DataFrame(data)          # built at once (column by column fragments the frame)


@lru_cache(maxsize=32)
def _scenario_cached(ref: str, where: str | None, stamp: tuple[int, int] | None) -> Any:
    return load_scenario(ref)       # `where` and `stamp` only key the cache


def shared_scenario(ref: Any) -> Any:
    """The parsed Scenario for a job's scenario reference, shared by every run of that scenario in
    this worker process (a batch of runs reads and validates its file once, not once a run). A file
    is keyed on its resolved path, modification time and size, so an edited file is read again; a
    shipped name is package data. A Scenario object (or None: test models) is returned as it is.
    Sharing is safe because a run never changes its Scenario (runner.run builds a fresh model and
    fresh Params from it); tests/integration/test_sweep_batching.py checks the rows are bit for bit
    those of each point run alone in a fresh process."""
    if not isinstance(ref, (str, Path)):
        return ref
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        try:
            st = path.stat()
        except OSError:
            return load_scenario(ref)                  # the loader's own error, never cached
        return _scenario_cached(str(ref), str(path.resolve()), (st.st_mtime_ns, st.st_size))
    return _scenario_cached(str(ref), None, None)


def run_job(job: Job, opts: RunOptions = RunOptions()) -> tuple[dict, pd.DataFrame | None]:
    """Run one job through its model function and return (its summary row, its thinned time
    series or None). A run that raises gives a "failed" row with the error; it never raises.
    Runs of the default runner share their parsed scenario within the process (`shared_scenario`);
    any other model function gets `job.scenario` as it is."""
    row: dict[str, Any] = {"run_id": int(job.run_id), "point_id": int(job.point_id),
                           "seed": int(job.seed), "status": "ok", "error": None}
    try:
        fn = resolve(job.model)
        scenario = shared_scenario(job.scenario) if job.model == RUNNER else job.scenario
        result = fn(scenario, days=job.days, seed=job.seed, overrides=dict(job.overrides),
                    disabled=tuple(job.disabled), amplification=job.amplification)
        metric_fn = summary_metrics if opts.metrics is None else (
            resolve(opts.metrics) if isinstance(opts.metrics, str) else opts.metrics)
        metrics = flatten(metric_fn(result))
        clash = set(metrics) & set(LEAD)
        if clash:
            raise ValueError(f"metric names {sorted(clash)} are reserved")
        row.update({k: _cell(v) for k, v in metrics.items()})
        ts = _thin(result.timeseries, opts, job.run_id) if opts.timeseries_every else None
    except Exception as e:            # recorded, and the sweep goes on
        row = {k: row[k] for k in LEAD}
        row["status"] = "failed"
        row["error"] = f"{type(e).__name__}: {e}"
        ts = None
    return row, ts


def run_batch(jobs: Sequence[Job], opts: RunOptions) -> tuple[list, float]:
    """A task: several runs in a row (per-task overhead is milliseconds, a run much more).
    Returns the runs' (row, timeseries) and the seconds the batch took."""
    t0 = time.perf_counter()
    out = [run_job(j, opts) for j in jobs]
    return out, time.perf_counter() - t0
