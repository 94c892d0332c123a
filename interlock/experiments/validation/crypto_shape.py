"""BTC over long calm baselines (issue #13): the shape of daily returns, the rarity of large
liquidation days, funding and squeezes — one function for the test (`tests/integration/
test_crypto_long_baseline.py`, 3 seeds × 1,500 days) and the benchmark (`benchmarks/
bench_crypto_long.py`, 10 seeds × 3,000 days). Bands set from data before any model run
(docs/validation.md, "Crypto market structure"; sources H9, H11–H17):

  annual vol 0.40–0.65 (2022–25: 0.52, H13); excess kurtosis 3–10 — the issue asks 5–10, but the
  2022–25 data give 4.4 and single years 1.5–4.7, only crash years exceed 5 (H14), so the data's
  band is used, as the developers' guide says; Hill index of the top 5% |r| 2.5–3.6 (2022–25: 2.9;
  inverse-cubic law, Takaishi 2020, H15–H16); liquidation days ≥ $5bn ≤ 0.5 a year, ≥ $2.5bn ≤ 2 a
  year (H12: Coinglass's record days from 2020 to 2025 hold three of $5bn or more — 10 Oct 2025 $19.2bn,
  18 Apr 2021 $9.9bn, 19 May 2021 $9.0bn — and nine of $2.5bn or more: 0.5 and 1.5 a year, exact Poisson
  95% intervals 0.10–1.46 and 0.69–2.85; another compilation has five $5bn days; H12 first read "only 10 Oct 2025", corrected 2026-12-04 with the
  bands unchanged), ≤ $150bn a year; funding +0.01%/8 h on calm days (Binance, H9); short liquidations
  lead on strong up-days (H11)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import stats

from ..runner import build_model, simulate
from ..scenarios import load_scenario
from .checks import hill_tail_index

YEAR = 252
HOLDERS = 20000                     # the crypto population of the long runs (rows)

# the bands on the median over seeds (shape) and on the mean / max over seeds (liquidations)
SHAPE_BANDS = {"vol": (0.40, 0.65), "kurtosis": (3.0, 10.0), "hill": (2.5, 3.6)}
ISSUE_KURTOSIS = (5.0, 10.0)        # the issue's band, reported beside the data's
LIQ_LIMITS = {"days_over_5bn_per_year": 0.5, "days_over_2p5bn_per_year": 2.0}
LIQ_MAX_BN_PER_YEAR = 150.0
FUNDING_BAND = (0.0, 0.0003)      # each seed's mean funding per 8 h (+0.01% on calm days, H9)


@functools.lru_cache(maxsize=None)
def long_run(seed: int, days: int) -> pd.DataFrame:
    """The baseline's time series over `days` (cached per process: the test's three checks share it)."""
    model = build_model(load_scenario("baseline"), seed=seed, overrides={"retail_crypto.n_holders": HOLDERS})
    try:
        ts, _, _ = simulate(model, days)
    finally:
        model.release()
    return ts


def shape(ts: pd.DataFrame) -> dict[str, float]:
    """BTC's return shape, its liquidation days and funding over one run."""
    r = np.diff(np.log(ts["BTC"].to_numpy()))
    liq = ts["liquidations_bn"].to_numpy()
    years = len(ts) / YEAR
    up = r > np.log(1.08)
    short_liq = (ts["liquidations_bn"] - ts["long_liquidations_bn"]).to_numpy()[1:]
    long_liq = ts["long_liquidations_bn"].to_numpy()[1:]
    return {"vol": float(r.std() * np.sqrt(YEAR)), "kurtosis": float(stats.kurtosis(r)), "hill": hill_tail_index(r),
            "down10_per_year": float((r < -0.1).sum() / years), "liq_bn_per_year": float(liq.sum() / years),
            "days_over_5bn_per_year": float((liq >= 5.0).sum() / years),
            "days_over_2p5bn_per_year": float((liq >= 2.5).sum() / years),
            "funding_mean_8h": float(ts["funding_8h"].mean()), "funding_min_8h": float(ts["funding_8h"].min()),
            "up8_days": int(up.sum()), "up8_short_liq_bn": float(short_liq[up].sum()),
            "up8_long_liq_bn": float(long_liq[up].sum())}


def table(seeds, days: int) -> dict[str, list[float]]:
    """Each statistic of `shape` over the seeds (a list per statistic, in the seeds' order)."""
    rows = [shape(long_run(s, days)) for s in seeds]
    return {k: [row[k] for row in rows] for k in rows[0]}
