"""Extreme days and volatility regimes against the S&P 500's own sampling range (docs/validation.md,
"Extreme days and volatility regimes"): days beyond ±5%, the 1%/99% quantiles, and the distribution of
the 21-day realised vol (median, 95th percentile, share of days above 30%), measured by one function
(`checks.regime_facts`) for the model's 10 × 3,000-day baselines and for `arch.data.sp500`.

The range is the S&P's: the 5–95% range of the same statistics over stationary-bootstrap samples of
1999–2018 as long as a run (`checks.sp500_regime_ranges`, mean block 126 days; 63 or 252 days give the
same range to two digits). **Measured after the fact**: these statistics were computed on the model
before this range was written down (they were found while checking the per-seed bands), so this file is
a report of a known weakness, not an out-of-sample pass. What it shows: the model's volatility is too
bimodal — calm spells calmer than the S&P's (median 21-day vol 12.1% against 14.0%) and about twice the
S&P's time above 30% vol (13% of days against 6.8%), hence about twice its days beyond ±5% (16 and 17
per 3,000 days against 8.3 and 7.2). The median over seeds sits inside the S&P's own sampling range on
every statistic but the share of high-vol days (0.13104 against the range's top 0.13091; out of sample,
seeds 101–140: 0.160); eight of ten seeds are outside it on at least one statistic. The runs are the session's
(`long_runs` in conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.experiments.validation import checks as V
from long_runs import FACTS_SEEDS

# seed → statistics outside the S&P's bootstrap 5–95% range (docs/validation.md; the xfail below)
DOCUMENTED_MISSES: dict[int, set[str]] = {
    1: {"q99", "rv_high_share", "up5"},
    2: {"rv_high_share", "rv_median"},
    3: {"rv_median"},
    4: {"down5", "q01", "q99", "rv_high_share", "rv_median", "rv_p95", "up5"},
    5: {"rv_median"},
    6: {"q99", "rv_high_share", "rv_p95", "up5"},
    7: {"rv_median"},
    10: {"down5", "q01", "q99", "rv_high_share", "rv_p95", "up5"},
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


@pytest.mark.xfail(strict=True, reason="docs/validation.md (Extreme days and volatility regimes): the median seed "
                   "spends 13.10% of its days above 30% vol against the S&P's bootstrap range 1.81–13.09% (16.0% on seeds "
                   "101–140, out of sample)")
def test_the_median_seed_is_inside_the_sp500s_own_sampling_range(on, ranges):
    med = {k: float(np.median([f[k] for f in on])) for k in ranges}
    print("\nmedian over seeds:", {k: round(v, 4) for k, v in med.items()})
    print("S&P bootstrap 5–95%:", {k: tuple(round(x, 4) for x in v) for k, v in ranges.items()})
    assert _outside(med, ranges) == set()


@pytest.mark.xfail(strict=True, reason="docs/validation.md (Extreme days and volatility regimes): the volatility "
                   "state is too bimodal — eight seeds spend more time above 30% vol, or calmer, than the S&P's range allows")
def test_every_seed_is_inside_the_sp500s_own_sampling_range(on, ranges):
    assert {s: _outside(f, ranges) for s, f in zip(FACTS_SEEDS, on) if _outside(f, ranges)} == {}


def test_the_misses_are_exactly_the_documented_ones(on, ranges):
    """Keeps the xfail above truthful: a new miss fails here, and so does a documented one that went away."""
    assert {s: _outside(f, ranges) for s, f in zip(FACTS_SEEDS, on) if _outside(f, ranges)} == DOCUMENTED_MISSES
