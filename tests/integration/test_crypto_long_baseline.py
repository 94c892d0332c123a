"""BTC over long calm baselines (issue #13): the shape of daily returns, the rarity of large
liquidation days, funding and squeezes. Bands set from data before any model run
(/work/scratch/macro/targets.md §7; SOURCES.md H9, H11–H17):

  annual vol 0.40–0.65 (2022–25: 0.52, H13); excess kurtosis 3–10 — the issue asks 5–10, but the
  2022–25 data give 4.4 and single years 1.5–4.7, only crash years exceed 5 (H14), so the data's
  band is used, as the developers' guide says; Hill index of the top 5% |r| 2.5–3.6 (2022–25: 2.9;
  inverse-cubic law, Takaishi 2020, H15–H16); liquidation days ≥ $5bn ≤ 0.5 a year (only 10 Oct 2025
  in Coinglass's history, H12), ≥ $2.5bn ≤ 2 a year, ≤ $150bn a year; funding +0.01%/8 h on calm days
  (Binance, H9); short liquidations lead on strong up-days (H11).

The CI test runs 3 seeds × 1,500 days (medians over seeds); `python tests/integration/
test_crypto_long_baseline.py [seeds] [days]` prints the full table (docs/validation.md: 10 × 3,000)."""

from __future__ import annotations

import functools
import sys

import numpy as np
from scipy import stats

from interlock.experiments.runner import build_model, simulate
from interlock.experiments.scenarios import load_scenario

SEEDS = (1, 2, 3)
DAYS = 1500
YEAR = 252


@functools.lru_cache(maxsize=None)
def long_run(seed: int, days: int = DAYS):
    model = build_model(load_scenario("baseline"), seed=seed, overrides={"retail_crypto.n_holders": 20000})
    try:
        ts, _, _ = simulate(model, days)
    finally:
        model.release()
    return ts


def hill(r: np.ndarray, top: float = 0.05) -> float:
    a = np.sort(np.abs(r))[::-1]
    k = int(top * a.size)
    return float(1.0 / np.mean(np.log(a[:k] / a[k])))


def shape(ts) -> dict[str, float]:
    r = np.diff(np.log(ts["BTC"].to_numpy()))
    liq = ts["liquidations_bn"].to_numpy()
    years = len(ts) / YEAR
    up = r > np.log(1.08)
    short_liq = (ts["liquidations_bn"] - ts["long_liquidations_bn"]).to_numpy()[1:]
    long_liq = ts["long_liquidations_bn"].to_numpy()[1:]
    return {"vol": float(r.std() * np.sqrt(YEAR)), "kurtosis": float(stats.kurtosis(r)), "hill": hill(r),
            "down10_per_year": float((r < -0.1).sum() / years), "liq_bn_per_year": float(liq.sum() / years),
            "days_over_5bn_per_year": float((liq >= 5.0).sum() / years),
            "days_over_2p5bn_per_year": float((liq >= 2.5).sum() / years),
            "funding_mean_8h": float(ts["funding_8h"].mean()), "funding_min_8h": float(ts["funding_8h"].min()),
            "up8_days": int(up.sum()), "up8_short_liq_bn": float(short_liq[up].sum()),
            "up8_long_liq_bn": float(long_liq[up].sum())}


def table(seeds=SEEDS, days=DAYS) -> dict[str, list[float]]:
    rows = [shape(long_run(s, days)) for s in seeds]
    return {k: [row[k] for row in rows] for k in rows[0]}


def test_btc_returns_have_the_data_shape_over_long_baselines():
    t = table()
    assert 0.40 <= np.median(t["vol"]) <= 0.65
    assert 3.0 <= np.median(t["kurtosis"]) <= 10.0            # data band (H14), not the 5–10
    assert 2.5 <= np.median(t["hill"]) <= 3.6


def test_liquidation_days_above_5bn_are_rare_in_a_calm_baseline():
    t = table()
    assert np.mean(t["days_over_5bn_per_year"]) <= 0.5
    assert np.mean(t["days_over_2p5bn_per_year"]) <= 2.0
    assert max(t["liq_bn_per_year"]) <= 150.0


def test_funding_sits_at_the_base_rate_and_strong_up_days_squeeze_the_shorts():
    t = table()
    assert all(0.0 <= f <= 0.0003 for f in t["funding_mean_8h"])
    assert sum(t["up8_days"]) > 0
    assert sum(t["up8_short_liq_bn"]) > sum(t["up8_long_liq_bn"])


if __name__ == "__main__":
    seeds = tuple(range(1, int(sys.argv[1]) + 1)) if len(sys.argv) > 1 else tuple(range(1, 11))
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    t = table(seeds, days)
    for k, v in t.items():
        print(f"{k:26s} median {np.median(v):10.4g}  range {min(v):.4g} … {max(v):.4g}")
