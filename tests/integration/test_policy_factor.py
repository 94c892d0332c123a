"""BTC loads on a common risk-appetite factor with equities (issue #13, "Done when"): the baseline's
daily SPX–BTC correlation is in the data-based band on each of 5 seeds, and BTC falls with the S&P on
the vol_shock day (against the same seed without the shock). Bands set from the sources before any
model run (docs/validation.md, "Policy transmission"; /work/scratch/macro/targets.md §5):

* daily corr(SPX, BTC) by calendar year from daily closes (G1–G3): 2020 0.45, 2021 0.26, 2022 0.56,
  2023 0.15, 2024 0.37, 2025 0.42; pooled 2022–25 0.42; 60-day windows 0.04–0.62. The issue's band
  0.2–0.4 would reject three of the six observed years (2020, 2022, 2025); the developers' guide says a
  real-world figure wins over an issue's, so the band is **0.20 … 0.50 on each seed** and the mean over
  the seeds 0.30 … 0.45 (pooled 2022–25 = 0.42);
* sell-offs: on days the S&P falls more than 1.5% BTC fell on 82% of them in 2022–25 (G4) ⇒ ≥ 70%
  pooled over the seeds (conditional correlations are biased upward by the selection, so "higher in
  sell-offs" is tested as this hit rate, not as a correlation);
* 5 Aug 2024 (G5): S&P −3.0%, BTC −12% (6 Aug 2024 close-to-close −7%) ⇒ on the vol_shock day BTC
  falls on every seed and by 3 … 12% against the same seed without the shock; the Fed reads the
  sell-off at the close, so the next day's cut odds are not lower.

The loading itself (`news.btc_equity_loading`, the market core's slot) and its downside asymmetry
(`news.btc_equity_downside`) are chosen on seeds 101–120 — never these.
"""

from __future__ import annotations

import numpy as np
import pytest
from policy_runs import day_return, run

SEEDS = (1, 2, 3, 4, 5)
DAY = 20                                    # the vol_spike of data/scenarios/vol_shock.toml


def _returns(ts) -> np.ndarray:
    return np.diff(np.log(ts[["SPX", "BTC"]].to_numpy()), axis=0)


@pytest.fixture(scope="module")
def baselines():
    return {seed: _returns(run(252, seed)) for seed in SEEDS}


def test_the_baseline_spx_btc_correlation_is_in_the_data_band_on_each_of_five_seeds(baselines):
    corr = {seed: float(np.corrcoef(r.T)[0, 1]) for seed, r in baselines.items()}
    print("daily corr(SPX, BTC) over 252 days:", {k: round(v, 3) for k, v in corr.items()},
          "mean %.3f" % np.mean(list(corr.values())))
    for seed, c in corr.items():
        assert 0.20 <= c <= 0.50, seed
    assert 0.30 <= np.mean(list(corr.values())) <= 0.45


OFF = {"news.btc_equity_loading": 0.0, "news.btc_equity_downside": 0.0}


def test_without_the_common_factor_btc_is_nearly_independent_of_the_sp500():
    """The same seeds with the loading and its downside asymmetry at 0: the correlation comes from the
    factor, not from flows."""
    corr = [float(np.corrcoef(_returns(run(252, seed, overrides=OFF)).T)[0, 1])
            for seed in SEEDS[:3]]
    print("daily corr(SPX, BTC) with the loading at 0:", np.round(corr, 3))
    assert all(abs(c) < 0.15 for c in corr)


def test_btc_falls_on_most_sp500_sell_off_days(baselines):
    pooled = np.concatenate(list(baselines.values()))
    sell = pooled[:, 0] < -0.015
    share = float((pooled[sell, 1] < 0).mean())
    print("days with the S&P < −1.5%%: %d; BTC down on %.0f%%, mean BTC move %.2f%%"
          % (sell.sum(), share * 100, pooled[sell, 1].mean() * 100))
    assert sell.sum() >= 20
    assert share >= 0.70


def test_btc_falls_about_as_hard_as_in_the_data_on_sp500_sell_off_days(baselines):
    """The band, set from the data before any model run (G4): on the 77 days with the S&P below −1.5%
    in 2022–25 BTC fell 3.4% on average ⇒ the pooled mean over the seeds' sell-off days in −5 … −2%.
    A symmetric loading missed it (−1.5%: the sell-offs come in the market factor's volatile spells,
    BTC's own volatility does not); the downside asymmetry `news.btc_equity_downside` (chosen on seeds
    101–120) lands it."""
    pooled = np.concatenate(list(baselines.values()))
    sell = pooled[:, 0] < -0.015
    assert -0.05 <= pooled[sell, 1].mean() <= -0.02


def test_btc_falls_with_the_sp500_on_the_vol_shock_day():
    rows = []
    for seed in SEEDS:
        base = run(DAY + 2, seed, [], scenario="vol_shock")
        hit = run(DAY + 2, seed, None, scenario="vol_shock")
        rows.append((seed, day_return(hit, "SPX", DAY) - day_return(base, "SPX", DAY),
                     day_return(hit, "BTC", DAY), day_return(hit, "BTC", DAY) - day_return(base, "BTC", DAY),
                     float(hit["cut_prob"].iloc[DAY + 1] - base["cut_prob"].iloc[DAY + 1])))
    print("seed, S&P vs same seed, BTC on the day, BTC vs same seed, next-day cut odds vs same seed:")
    for r in rows:
        print("  ", r[0], *(round(x * 100, 2) for x in r[1:]))
    for seed, spx, btc, btc_rel, odds in rows:
        assert spx < -0.01, seed
        assert btc < 0.0, seed
        assert -0.12 <= btc_rel <= -0.03, seed
        assert odds >= -1e-9, seed
