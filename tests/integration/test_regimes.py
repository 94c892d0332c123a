"""Extreme days and volatility regimes against the S&P 500's own sampling range (docs/validation.md,
"Extreme days and volatility regimes"): days beyond ±5%, the 1%/99% quantiles, and the distribution of
the 21-day realised vol (median, 95th percentile, share of days above 30%), measured by one function
(`checks.regime_facts`) for the model's 10 × 3,000-day baselines and for `arch.data.sp500`.

The range is the S&P's: the 5–95% range of the same statistics over stationary-bootstrap samples of
1999–2018 as long as a run (`checks.sp500_regime_ranges`, mean block 126 days; 63 or 252 days give the
same range to two digits). **Measured after the fact**: these statistics were computed on the model
before this range was written down (they were found while checking the per-seed bands), so this file is
a report, not an out-of-sample pass. What it found (2026-12-03, before the fix): the volatility was too
bimodal — calm spells calmer than the S&P's (median 21-day vol 12.1% against 14.0%) and about twice the
S&P's time above 30% vol (13.1% of days against 6.8%; 16.0% on seeds 101–140), hence about twice its
days beyond ±5%. The cause was the news process: its log-vol components share one shock, so their s.d.s
added to ≈ 0.8 (the S&P's log realised vol: 0.5) and the bounds on the news vol bound on 29.6% of days.
The components were re-chosen by a search that scored news-only samples on this range as well as on the
issue-#12 bands (so the range is in sample for the parameters; seeds 1–10 were never searched). Now the
median seed is inside the range on every statistic (6.8% of days above 30% vol) and 3 of 10 seeds are
inside it on all (2 before); on seeds 101–140, 20 of 40 (4 before). The runs are the session's
(`long_runs` in conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.experiments.validation import checks as V
from long_runs import FACTS_SEEDS

# seed → statistics outside the S&P's bootstrap 5–95% range (docs/validation.md; the xfail below)
DOCUMENTED_MISSES: dict[int, set[str]] = {
    2: {"rv_median"},
    3: {"rv_median"},
    4: {"rv_high_share"},
    6: {"rv_high_share"},
    7: {"rv_median"},
    8: {"q01", "q99", "rv_high_share", "rv_p95"},
    9: {"q01", "q99"},
}


@pytest.fixture(scope="module")
def ranges():
    return V.sp500_regime_ranges()


@pytest.fixture(scope="module")
def on(long_runs):
    with long_runs.installed():
        return [V.regime_facts(V.log_returns(r.timeseries["SPX"].to_numpy())) for r in V.facts_runs()]


def _outside(f, ranges) -> set[str]:
    return {k for k, (lo, hi) in ranges.items() if not (lo <= f[k] <= hi)}


def test_the_sp500_regime_facts_are_what_the_data_give(ranges):
    """The data side, fixed on the S&P alone: 1999–2018 has 8.3 days below −5% and 7.2 above +5% per
    3,000 days, a median 21-day vol of 14.0% and 6.8% of days above 30%; the point estimates sit inside
    their own bootstrap range."""
    f = V.regime_facts(V.sp500_returns())
    assert f["down5"] == pytest.approx(8.35, abs=0.01) and f["up5"] == pytest.approx(7.16, abs=0.01)
    assert f["rv_median"] == pytest.approx(0.140, abs=0.001)
    assert f["rv_high_share"] == pytest.approx(0.068, abs=0.001)
    assert _outside(f, ranges) == set()


def test_the_median_seed_is_inside_the_sp500s_own_sampling_range(on, ranges):
    """A strict xfail until 2026-12-03 (13.1% of days above 30% vol against the range's top 13.09%)."""
    med = {k: float(np.median([f[k] for f in on])) for k in ranges}
    print("\nmedian over seeds:", {k: round(v, 4) for k, v in med.items()})
    print("S&P bootstrap 5–95%:", {k: tuple(round(x, 4) for x in v) for k, v in ranges.items()})
    assert _outside(med, ranges) == set()


@pytest.mark.xfail(strict=True, reason="docs/validation.md (Extreme days and volatility regimes): seven of ten seeds "
                   "are outside the S&P's range on at least one statistic — three calmer than it (median 21-day vol), "
                   "four with more time above 30% vol or wider 1%/99% quantiles")
def test_every_seed_is_inside_the_sp500s_own_sampling_range(on, ranges):
    assert {s: _outside(f, ranges) for s, f in zip(FACTS_SEEDS, on) if _outside(f, ranges)} == {}


def test_the_misses_are_exactly_the_documented_ones(on, ranges):
    """Keeps the xfail above truthful: a new miss fails here, and so does a documented one that went away."""
    assert {s: _outside(f, ranges) for s, f in zip(FACTS_SEEDS, on) if _outside(f, ranges)} == DOCUMENTED_MISSES


def test_the_news_process_alone_stays_inside_its_bounds():
    """Stability is a property, not a guard: the relative volatility of the market's news is clipped
    to [floor, cap], and with the calibrated components the clip is a bound that almost never binds
    (≈ 0.2% of days over 60 news-only samples of 3,000 days). Before 2026-12-03 the components' s.d.s
    added up to a log-vol s.d. of ≈ 0.8 and the clip shaped the distribution: 29.6% of days sat at a
    bound (25% at the floor's 7.3% vol, 5% at the cap's 45%) — the plateaus behind the bimodal
    volatility this file measures."""
    news = V.news_only(samples=60)
    assert news.bound_share() < 0.01
    old = V.news_only({"news.market_sigma_annual": 0.235, "news.market_timescales_days": [5.0, 85.0, 160.0],
                       "news.market_logvol_sd": [0.21, 0.43, 0.25], "news.market_leverage": [-0.99] * 3,
                       "news.market_tail": 0.0, "news.market_rel_floor": 0.31, "news.market_rel_cap": 1.93},
                      samples=60)
    assert old.bound_share() > 0.2          # the measurement can see the old state
