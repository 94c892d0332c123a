"""Volatility with the right shape (issue #12 item 3): on each of 10 seeds × 3,000 baseline days the
S&P statistics sit inside bands set from the S&P 500 data (`checks.BANDS`), measured by one function
(`checks.stylized_facts`) for the model and for `arch.data.sp500`; with every trading class off the
same statistics are reported, and the agents must deepen the left tail.

The runs are the session's (`long_runs` in conftest.py), made once and shared with the validation
report, the flow-size and the implied-vol tests."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.experiments.validation import checks as V
from long_runs import FACTS_SEEDS

# Per-seed misses that honest work on the mechanism did not remove, each documented with its size in
# docs/validation.md ("Stylized facts, seed by seed"): seed → statistics outside their band.
DOCUMENTED_MISSES: dict[int, set[str]] = {
    2: {"skew"},
    3: {"hill_abs"},
    5: {"gain_loss"},                  # 1.194 since the Fed's calendar (2026-12-04; 1.210 before)
    6: {"gain_loss"},
    7: {"gain_loss"},                  # 1.171 (1.206 before)
    8: {"annual_vol", "excess_kurtosis", "abs_ac50", "gain_loss"},
    9: {"gain_loss"},
}


@pytest.fixture(scope="module")
def on(long_runs):
    with long_runs.installed():
        return V.per_seed_facts()


@pytest.fixture(scope="module")
def off(long_runs):
    with long_runs.installed():
        return V.per_seed_facts(disabled=V.endogenous_classes())


@pytest.fixture(scope="module")
def tails(long_runs):
    with long_runs.installed():
        r_on = [V.log_returns(r.timeseries["SPX"].to_numpy()) for r in V.facts_runs()]
        r_off = [V.log_returns(r.timeseries["SPX"].to_numpy()) for r in V.facts_runs(V.endogenous_classes())]
    return [V.left_tail(r) for r in r_on], [V.left_tail(r) for r in r_off]


def _table(rows, label):
    keys = list(V.BANDS)
    lines = [f"{label:<10}" + "".join(f"{k:>16}" for k in keys)]
    for s, f in zip(FACTS_SEEDS, rows):
        lines.append(f"{'seed ' + str(s):<10}" + "".join(
            f"{f[k]:>15.3f}{'*' if not (V.BANDS[k][0] <= f[k] <= V.BANDS[k][1]) else ' '}" for k in keys))
    return "\n".join(lines)


def test_the_sp500_itself_is_inside_every_band():
    f = V.stylized_facts(V.sp500_returns())
    assert V.outside_bands(f) == {}
    assert f["gain_loss"] == pytest.approx(1.59, abs=0.01)      # the definition fixed on S&P data


def _misses(rows) -> dict[int, set[str]]:
    return {s: set(V.outside_bands(f)) for s, f in zip(FACTS_SEEDS, rows) if V.outside_bands(f)}


@pytest.mark.xfail(strict=True, reason="per-seed misses remain (DOCUMENTED_MISSES; docs/validation.md)")
def test_every_seed_is_inside_every_band(on):
    print("\n" + _table(on, "agents on"))
    assert _misses(on) == {}


def test_ten_samples_of_the_sp500_itself_would_rarely_all_pass_every_band():
    """The bar of the xfail above, measured on the data its bands were set from: fewer than half of
    the S&P 500's own 3,000-day samples (stationary bootstrap, any block length tried; its overlapping
    windows) sit inside every band, so ten independent S&P-like samples would all pass with probability
    below 0.1%. The model is judged per seed all the same; this is the yardstick for its pass rate."""
    rows = V.sp500_band_pass(n_boot=150)
    for b in rows:
        print(f"{b.label}: {b.samples} samples, inside every band {b.share:.2f}, "
              f"misses {({k: v for k, v in b.misses.items() if v})}")
    assert len(rows) == 4 and all(b.samples >= 90 for b in rows)
    assert all(b.share < 0.5 for b in rows)
    assert all(b.share ** 10 < 1e-3 for b in rows)


def test_the_misses_are_exactly_the_documented_ones(on):
    """Keeps the xfail above truthful: a new miss fails here, and so does a documented one that went away."""
    assert _misses(on) == DOCUMENTED_MISSES


def test_the_median_over_seeds_is_inside_every_band(on, off):
    print("\n" + _table(off, "agents off"))
    med = {k: float(np.median([f[k] for f in on])) for k in V.BANDS}
    assert V.outside_bands(med) == {}


def test_a_year_is_as_dispersed_as_the_sp500s_and_a_calm_year_earns_what_it_did():
    """The one-year horizon (checks.YEAR_BANDS, set from the S&P 500 1999–2018 before any model run):
    the s.d. of a 252-day log return and the mean of the windows whose realised vol is below 12%,
    pooled over the 10 seeds. A persistent volatility state with a steep conditional mean made calm
    years earn +31% and years scatter with an s.d. of 0.27 (news.market_mean_slope 0.12)."""
    data = V.year_facts([V.sp500_returns()])
    assert data["year_sd"] == pytest.approx(0.173, abs=0.002) and data["calm_year_mean"] == pytest.approx(0.122, abs=0.002)


def test_the_model_year_lands_in_the_sp500_bands(long_runs):
    with long_runs.installed():
        f = V.year_facts([V.log_returns(r.timeseries["SPX"].to_numpy()) for r in V.facts_runs()])
    print("\none-year windows, agents on:", {k: round(v, 3) for k, v in f.items()})
    for k, (lo, hi) in V.YEAR_BANDS.items():
        assert lo <= f[k] <= hi, (k, f[k])


def test_the_agents_deepen_the_left_tail(tails):
    """Same news draws with every trading class on and off: with the agents the worst days are worse,
    the 1% quantile deeper, days below −5% more frequent and the worst month deeper. (The max
    drawdown of a 3,000-day run is the news' multi-year fall and is not asserted: buybacks and the
    discretionary desks support it; docs/validation.md.)"""
    on, off = tails
    deeper_q = [a["q01"] <= b["q01"] for a, b in zip(on, off)]
    more_crashes = [a["days_below_5pct"] >= b["days_below_5pct"] for a, b in zip(on, off)]
    worse_day = [a["worst_day"] <= b["worst_day"] for a, b in zip(on, off)]
    worse_month = [a["worst_month"] <= b["worst_month"] for a, b in zip(on, off)]
    print("\n", [(round(a["worst_month"], 3), round(b["worst_month"], 3)) for a, b in zip(on, off)])
    assert all(deeper_q) and all(more_crashes) and all(worse_day)
    assert np.mean(worse_month) >= 0.8


def test_every_long_baseline_is_stable_with_the_agents_on_and_off(long_runs):
    """Stability is a property (issue #12): no guard binds in any of the 10 × 3,000-day baselines the
    facts are measured on — a guard that binds would be what kept the run finite."""
    with long_runs.installed():
        runs = V.facts_runs() + V.facts_runs(V.endogenous_classes())
    bad = [(r.seed, r.summary["stability"]["reasons"]) for r in runs if not r.summary["stability"]["stable"]]
    assert len(runs) == 2 * len(FACTS_SEEDS) and not bad, bad
