"""The single-run runner: the one way to build, run and write a scenario. The CLI, sweeps,
narratives, validation and the app all call `run` / `build_model` / `simulate`.

`RunResult`, `write_run` and `read_run` live in `run_folder` (re-exported here): a run's tables and
summary, written atomically and only over what is ours; they draw nothing (figures belong to the
layer above: `interlock.reports.run.write_run` writes a run folder with its dashboard)."""

from __future__ import annotations

import importlib.metadata as md
import platform
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
from tqdm import tqdm

from .._version import __version__
from ..config import Params
from ..errors import InputError
from ..model import hooks
from ..model.model import CapitalFlowModel, agent_classes, trading_classes
from . import metrics
from .run_folder import RunResult, read_run, write_run  # noqa: F401 (re-exported: the runner's API)
from .scenarios import Scenario, load_scenario, outside_warning


def _scenario(scenario: str | Path | Scenario) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def build_model(scenario: str | Path | Scenario = "baseline", *, seed: int | None = None,
                overrides: dict[str, Any] | None = None, disabled: Iterable[str] = (),
                params: Params | None = None) -> CapitalFlowModel:
    """A ready-to-step model for a scenario (name, path or Scenario), with optional overrides
    (key path → value) and agent classes switched off."""
    sc = _scenario(scenario)
    p = params if params is not None else sc.params(overrides)
    unknown = set(disabled) - set(agent_classes())
    if unknown:
        raise InputError(f"unknown agent class {sorted(unknown)}", file="disabled",
                         allowed=", ".join(agent_classes()))
    return CapitalFlowModel(p, seed=sc.run.seed if seed is None else seed, shocks=sc.shocks,
                            disabled=disabled)


def simulate(model: CapitalFlowModel, days: int, progress: bool = False,
             on_day: Callable[[int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Step `model` for `days` days and return (timeseries, flows, events)."""
    if days < 1:
        raise InputError(f"days must be at least 1, got {days}", key="days", allowed="an integer ≥ 1")
    bar = None
    if progress:
        bar = tqdm(total=days, unit="day", desc="simulating", leave=False)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for _ in range(days):
            model.step()
            if bar is not None:
                bar.update(1)
            if on_day is not None:
                on_day(model.day)
    if bar is not None:
        bar.close()
    ts = model.series.frame()
    start = pd.Timestamp(model.params["run.start_date"])
    ts.insert(1, "date", pd.bdate_range(start, periods=len(ts)))
    return ts, model.flows.frame(), model.events.frame()


@lru_cache(maxsize=1)  # installed versions do not change within a process; reading them costs ~3 ms a run
def package_versions() -> dict[str, str]:
    """Python's, this package's and the main dependencies' versions (recorded with every output)."""
    out = {"python": platform.python_version(), "interlock": __version__}
    for pkg in ("mesa", "numpy", "pandas", "pyarrow", "networkx", "scipy"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def run(scenario: str | Path | Scenario = "baseline", *, days: int | None = None,
        seed: int | None = None, overrides: dict[str, Any] | None = None,
        disabled: Iterable[str] = (), progress: bool = False, amplification: bool = True,
        attribution: bool = False) -> RunResult:
    """Run a scenario and return its tables and summary.

    amplification: also run with every trading agent class off under the same random numbers
    and report move(all)/move(exogenous) per asset. attribution: also rerun with each agent class
    off in turn and report its contribution to drawdowns and peak VOL.
    """
    sc = _scenario(scenario)
    p = sc.params(overrides)
    seed = sc.run.seed if seed is None else int(seed)
    days = sc.run.days if days is None else int(days)
    disabled = tuple(disabled)
    model = build_model(sc, seed=seed, params=p, disabled=disabled)
    try:
        ts, flows, events = simulate(model, days, progress=progress)
    finally:
        model.release()
    assets = model.market.names + ["SPX"]
    summary: dict[str, Any] = {
        "scenario": sc.name, "title": sc.title, "seed": seed, "days": days,
        "disabled": list(disabled), "overrides": p.diff(), "versions": dict(package_versions()),
        "asset_names": assets, "shocks": [dict(type=s.type_name, **s.model_dump()) for s in sc.shocks],
        "warnings": [w for w in (outside_warning(sc, days),) if w],
    }
    trading_days = p["run.trading_days_per_year"]
    summary["metrics"] = metrics.summarize(ts, flows, assets, trading_days)
    summary["metrics"].update(hooks.summary_metrics(model, ts, flows, events))
    summary["stability"] = model.stability()
    summary["metrics"]["stability"] = metrics.stability_metrics(summary["stability"])

    def rerun(off: Iterable[str]) -> pd.DataFrame:
        mdl = build_model(sc, seed=seed, params=p, disabled=tuple(set(disabled) | set(off)))
        try:
            return simulate(mdl, days)[0]
        finally:
            mdl.release()

    if amplification:
        ts_exog = rerun(trading_classes())
        summary["metrics"]["amplification"] = metrics.amplification(ts, ts_exog, assets)
    if attribution:
        base = summary["metrics"]["assets"]
        contrib = {}
        classes = [c for c in agent_classes() if c not in disabled and model.is_enabled(c)]
        for cls in tqdm(classes, desc="attribution", unit="class", leave=False, disable=not progress):
            ts_off = rerun([cls])
            m_off = metrics.asset_metrics(ts_off, assets, trading_days)
            contrib[cls] = {
                "drawdown_contribution": {a: base[a]["max_drawdown"] - m_off[a]["max_drawdown"] for a in assets},
                "peak_VOL_1M_contribution": summary["metrics"]["peak_VOL_1M"] - float(ts_off["VOL_1M"].max()),
            }
        summary["attribution"] = contrib
    # the config a run records carries the days it ran (run.days is only the default of [run] days)
    ran = Params({**p.values, "run.days": days})
    return RunResult(sc.name, seed, days, ran, ts, flows, events, summary)
