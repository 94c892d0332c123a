"""Policy days beside history, out of sample (issue #13: policy news reaches prices).

Three days on which one piece of policy news moved every market, each replayed as the shock a user
would write for it — on day 20 of the baseline, against the same seed without it (common random
numbers), every class on — and set beside the day's closes:

* 18 Dec 2024, the FOMC's hawkish projections: the median 2025 path rose 50bp (SEP, Sep 2024 3.4% →
  Dec 2024 3.9%) ⇒ `fed_guidance` path_bps = +50. S&P −2.95%, VIX 15.9 → 27.6 (CNBC, 19 Dec 2024),
  10-year ≈ +12bp, BTC ≈ −5%.
* 2 Aug 2024, the July jobs report: unemployment 4.1% → 4.3% against no change expected ⇒
  `macro_surprise` unemployment = +0.002. S&P −1.84%, VIX 18.6 → 23.4 (intraday high 29.7), 10-year
  3.98% → ≈ 3.80%, BTC ≈ −6% (UPI, CNN, 2 Aug 2024).
* 13 Sep 2022, August CPI: 8.3% y/y against 8.1% expected, core 6.3% against 6.1% ⇒ `macro_surprise`
  inflation = +0.002. S&P −4.32% (its worst day since June 2020), VIX ≈ 23.9 → 27.3, 10-year ≈ +5bp,
  BTC ≈ −9…−10% (Bloomberg, 13 Sep 2022).
* 10 Nov 2022, October CPI: 7.7% y/y against 8.0% expected ⇒ `macro_surprise` inflation = −0.003.
  S&P +5.54% (its best day since April 2020), VIX ≈ 25.5 → 23.5, 10-year ≈ −28bp, BTC ≈ +10%.

The days were picked from memory because they were large — the tail of each kind of news, not its
average — so a model that answers the average surprise right would still fall short of them.

The landing ranges were written before any model run (docs/validation.md, "Policy days"), about a
factor of two around each figure and wider where the day had other news (2 Aug 2024 began the yen
carry unwind). Nothing in the model was fitted to these days: they are out of sample. The model starts
from November 2025 (a VIX near 20, the rate at 3.9%), not from each day's own market, so the ranges
judge the response to the news, not the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from ...model.shocks.policy import FedGuidance, MacroSurprise
from ..runner import build_model, simulate
from ..scenarios import load_scenario
from .episodes import EpisodeRow

DAY = 20                                        # the shock's day in the baseline
SEEDS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Quantity:
    name: str                                   # e.g. "S&P on the day"
    measure: Callable[[pd.DataFrame, pd.DataFrame], float]   # (with the shock, without) -> value
    history: float
    lo: float
    hi: float
    unit: str                                   # '%' (fractions), 'pts', 'bp', 'pp'
    banded: bool = True                         # False: reported beside history, not judged


@dataclass(frozen=True)
class PolicyDay:
    name: str
    title: str
    shock: Callable[[int], object]              # day -> the shock
    quantities: tuple[Quantity, ...]
    source: str


def _log_move(col: str) -> Callable[[pd.DataFrame, pd.DataFrame], float]:
    def f(hit: pd.DataFrame, base: pd.DataFrame) -> float:
        day = lambda ts: float(np.log(ts[col].iloc[DAY] / ts[col].iloc[DAY - 1]))   # noqa: E731
        return day(hit) - day(base)
    return f


def _level(col: str, scale: float) -> Callable[[pd.DataFrame, pd.DataFrame], float]:
    return lambda hit, base: float(hit[col].iloc[DAY] - base[col].iloc[DAY]) * scale


SPX, BTC = _log_move("SPX"), _log_move("BTC")
VOL = _level("VOL_1M", 100.0)                   # vol points
Y10 = _level("UST10_yield", 1e4)                # basis points
ODDS = _level("cut_prob", 100.0)                # percentage points

POLICY_DAYS: tuple[PolicyDay, ...] = (
    PolicyDay("fomc_dec2024", "18 Dec 2024: the FOMC's hawkish projections (2025 path +50bp)",
              lambda d: FedGuidance(at=d, path_bps=50.0), (
                  Quantity("S&P on the day", SPX, -0.0295, -0.05, -0.01, "%"),
                  Quantity("VOL_1M on the day", VOL, 11.7, 2.0, 15.0, "pts"),
                  Quantity("10-year on the day", Y10, 12.0, 4.0, 25.0, "bp"),
                  Quantity("BTC on the day", BTC, -0.05, -0.10, -0.015, "%")),
              "SEP medians (Sep, Dec 2024); CNBC 19 Dec 2024 (VIX 27.62, +74%)"),
    PolicyDay("jobs_aug2024", "2 Aug 2024: unemployment 4.1% → 4.3% (no change expected)",
              lambda d: MacroSurprise(at=d, unemployment=0.002), (
                  Quantity("S&P on the day", SPX, -0.0184, -0.04, -0.007, "%"),
                  Quantity("VOL_1M on the day", VOL, 4.8, 1.5, 10.0, "pts"),
                  Quantity("10-year on the day", Y10, -19.0, -35.0, -6.0, "bp"),
                  Quantity("cut odds at the next meeting", ODDS, float("nan"), 0.0, 100.0, "pp"),
                  Quantity("BTC on the day", BTC, -0.06, float("-inf"), float("inf"), "%", banded=False)),
              "BLS Employment Situation, July 2024; UPI, CNN, 2 Aug 2024"),
    PolicyDay("cpi_sep2022", "13 Sep 2022: August CPI 8.3% y/y against 8.1% expected",
              lambda d: MacroSurprise(at=d, inflation=0.002), (
                  Quantity("S&P on the day", SPX, -0.0432, -0.06, -0.015, "%"),
                  Quantity("VOL_1M on the day", VOL, 3.4, 1.0, 8.0, "pts"),
                  Quantity("10-year on the day", Y10, 5.0, 2.0, 20.0, "bp"),
                  Quantity("BTC on the day", BTC, -0.094, -0.12, -0.02, "%")),
              "BLS CPI, August 2022; Sputnik/Dow Jones 13 Sep 2022 (S&P −4.32%); Bloomberg (BTC ≈ −10%)"),
    PolicyDay("cpi_nov2022", "10 Nov 2022: October CPI 7.7% y/y against 8.0% expected",
              lambda d: MacroSurprise(at=d, inflation=-0.003), (
                  Quantity("S&P on the day", SPX, 0.0554, 0.02, 0.08, "%"),
                  Quantity("VOL_1M on the day", VOL, -2.0, -6.0, -0.5, "pts"),
                  Quantity("10-year on the day", Y10, -28.0, -40.0, -10.0, "bp"),
                  Quantity("BTC on the day", BTC, 0.10, 0.03, 0.15, "%")),
              "BLS CPI, October 2022; S&P +5.54% (its best day since April 2020), 10-year −28bp"),
)


def _run(seed: int, shocks: list, days: int = DAY + 1) -> pd.DataFrame:
    m = build_model(load_scenario("baseline").model_copy(update={"shocks": shocks}), seed=seed)
    try:
        return simulate(m, days)[0]                  # the engine's own stepping (its float checks too)
    finally:
        m.release()


def replay_policy_day(day: PolicyDay, seeds: Iterable[int] = SEEDS) -> list[EpisodeRow]:
    """One row per quantity: history, the model's value per seed (against the same seed without the
    shock) and the landing range (±inf for a row reported but not judged)."""
    pairs = [(_run(s, [day.shock(DAY)]), _run(s, [])) for s in seeds]
    return [EpisodeRow(q.name, q.history, [q.measure(hit, base) for hit, base in pairs], q.lo, q.hi, q.unit,
                       "" if q.banded else "not judged: no range was written before the run")
            for q in day.quantities]


def show(x: float, unit: str) -> str:
    if not np.isfinite(x):
        return "–"
    if unit == "%":
        return f"{100 * x:+.2f}%"
    return f"{x:+.1f} {unit}"
