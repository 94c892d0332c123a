"""Flows are money and the implied-vol curve behaves (issue #12 items 2 and 4), on the session's
10 × 3,000-day baselines (the stylized-facts runs; `long_runs` in conftest.py).

Flow sizes: every trading class's daily net flow in the calm baseline has a median |net| ≤ $10bn and
a 99th percentile ≤ $60bn (street estimates: buybacks $4–6bn a day; vol-control and CTA flows
$10–50bn on large days). Implied vol, bands set from `arch.data.vix` (2014–2018) with the same
functions before looking at the model: VOL_1M < VOL_3M on ≥ 70% of calm days (calm = VOL_1M below its
median, the analogue of VIX below its median), a positive premium of a few points (VIX − next-21-day
realised S&P vol: +3.0 points), inversion concentrated in stress, and a spike's excess halving as
fast as the VIX's (median 3 days, every spike within 1–8 days; the issue's 5–15 is slower than the
data, so the data's band is used)."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.experiments.validation import checks as V

MEDIAN_MAX, P99_MAX = 10.0, 60.0
CONTANGO_MIN = 0.70
PREMIUM_PTS = (1.0, 6.0)
HALF_LIFE = (1.0, 8.0)


@pytest.fixture(scope="module")
def runs(long_runs):
    with long_runs.installed():
        return V.facts_runs()


@pytest.fixture(scope="module")
def iv(runs):
    return [V.model_implied_vol_stats(r.timeseries) for r in runs]


def test_the_vix_data_give_the_bands():
    d = V.vix_stats()
    assert d["premium_pts"] == pytest.approx(3.0, abs=0.1) and d["premium_positive_share"] > 0.8
    assert d["half_life_median"] == 3.0 and HALF_LIFE[0] <= d["half_life_max"] <= HALF_LIFE[1]


def test_every_trading_class_trades_realistic_amounts_in_the_calm_baseline(runs):
    days = len(runs[0].timeseries) - 1
    flows = [V.daily_net_flows(r.flows, days) for r in runs]
    classes = sorted(set().union(*[f.columns for f in flows]))
    table = {}
    for c in classes:
        a = np.concatenate([f[c].abs().to_numpy() for f in flows if c in f.columns])
        table[c] = (float(np.median(a)), float(np.quantile(a, 0.99)))
    print("\n", {c: (round(m, 2), round(p, 1)) for c, (m, p) in table.items()})
    assert {"buyback", "vol_target", "cta", "discretionary", "dealer"} <= set(classes)
    assert all(m <= MEDIAN_MAX and p <= P99_MAX for m, p in table.values()), table


def test_news_carries_most_of_a_calm_days_variance(long_runs, runs):
    with long_runs.installed():
        off = V.facts_runs(V.endogenous_classes())
    for on_r, off_r in zip(runs, off):
        v_on = on_r.timeseries["VOL_1M"].to_numpy()[:-1]
        calm = v_on < np.median(v_on)
        r_on = V.log_returns(on_r.timeseries["SPX"].to_numpy())[calm]
        r_off = V.log_returns(off_r.timeseries["SPX"].to_numpy())[calm]
        assert r_off.var() / r_on.var() > 0.6


def test_the_curve_is_in_contango_on_calm_days_and_inverts_in_stress(iv):
    for s in iv:
        assert s["contango_calm"] >= CONTANGO_MIN
        assert s["inverted_top_decile"] > 2 * s["inverted_all"] > 0      # inversion sits in stress


def test_implied_vol_carries_a_positive_premium_of_a_few_points(iv):
    prem = [s["premium_pts"] for s in iv]
    print("\npremium", [round(p, 2) for p in prem])
    assert all(PREMIUM_PTS[0] <= p <= PREMIUM_PTS[1] for p in prem)


def test_a_spike_loses_half_its_excess_as_fast_as_the_vix(iv):
    med = [s["half_life_median"] for s in iv]
    assert all(HALF_LIFE[0] <= m <= HALF_LIFE[1] for m in med)


def test_dealers_hedge_when_a_threshold_is_crossed_not_every_day(runs):
    per_day = []
    for r in runs:
        days = len(r.timeseries) - 1
        v = r.timeseries["VOL_1M"].to_numpy()[:-1]
        calm = v < np.median(v)
        per_day.append(V.forced_rounds_per_day(r.flows, days, "dealer")[calm].mean())
    print("\ndealer forced rounds per calm day", [round(x, 3) for x in per_day])
    assert max(per_day) < 0.25                 # was 2.2 a day before issue #12
