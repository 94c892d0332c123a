"""Runs for the policy-transmission tests (issue #13): a scenario with its shocks replaced, stepped
in process, its time series returned. Every on/off comparison uses the same seed (common random
numbers: each component draws from its own stream, the same count every day)."""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from interlock.experiments.runner import build_model
from interlock.experiments.scenarios import load_scenario



def run(days: int, seed: int, shocks: Iterable | None = None, scenario: str = "baseline",
        overrides: dict | None = None, disabled: Iterable[str] = (), keep: bool = False):
    """Step `scenario` (its shocks replaced by `shocks` if given) for `days`; return the time
    series (and the model if `keep`, else it is released)."""
    sc = load_scenario(scenario)
    if shocks is not None:
        sc = sc.model_copy(update={"shocks": list(shocks)})
    m = build_model(sc, seed=seed, overrides=overrides, disabled=disabled)
    for _ in range(days):
        m.step()
    ts = m.series.frame()
    if keep:
        return ts, m
    m.release()
    return ts


def day_return(ts: pd.DataFrame, column: str, day: int) -> float:
    """Log return of `column` on `day` (close of day − close of the day before)."""
    return float(np.log(ts[column].iloc[day] / ts[column].iloc[day - 1]))


def meeting_rates(ts: pd.DataFrame, meetings: list[int]) -> np.ndarray:
    """The policy rate after each meeting in `meetings` (trading days)."""
    return ts["policy_rate"].to_numpy()[list(meetings)]


def meeting_days(start_date: str | None = None) -> list[int]:
    """The FOMC meetings' trading days of a run from `start_date` (the baseline's by default)."""
    from interlock.config import Params
    from interlock.inputs import fomc
    return fomc.calendar_days(start_date or Params.defaults()["run.start_date"])[0]
