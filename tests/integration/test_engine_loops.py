"""Each loop has its sign (MODEL.md §6.1): the same seed with an agent class on vs off."""

from __future__ import annotations

import numpy as np

from interlock.experiments.metrics import drawdown_stats
from interlock.experiments.runner import run
from interlock.experiments.validation.checks import blackout_return_gap, mean_variance_ratio, shock_drawdown

SEEDS = (1, 2, 3, 4, 5, 6)
# Long runs keep every block on but with a smaller crypto population: each holder row stands for
# people / n_holders people, so totals are unchanged and only the sampling of holders is coarser.
LONG = {"retail_crypto.n_holders": 5000}


_shock_drawdown = shock_drawdown        # SPX from the day before the shock to its trough (days 19–60)


def test_vol_target_funds_deepen_the_vol_shock_drawdown():
    on = np.array([_shock_drawdown(run("vol_shock", seed=s, amplification=False).timeseries) for s in SEEDS])
    off = np.array([_shock_drawdown(run("vol_shock", seed=s, amplification=False,
                                        disabled=["vol_target"]).timeseries) for s in SEEDS])
    print("vol_shock drawdown with vol-target funds", on.round(3), "without", off.round(3))
    assert on.mean() > off.mean() + 0.01
    assert (on > off).sum() >= 5


def test_vol_target_funds_sell_into_rising_vol():
    for s in SEEDS[:3]:
        r = run("vol_shock", seed=s, amplification=False)
        f = r.flows[(r.flows["agent_class"] == "vol_target") & r.flows["asset"].isin(["SPX"])]
        daily = f.groupby("day")["usd_bn"].sum().reindex(r.timeseries["day"], fill_value=0.0).to_numpy()
        dvol = np.diff(r.timeseries["VOL_1M"].to_numpy())            # change on day t (t = 1..)
        # funds trade on day t on the vol they saw up to day t-1
        c = np.corrcoef(dvol[:-1], daily[2:])[0, 1]
        shock_window = daily[20:30].sum()
        print(f"seed {s}: corr(ΔVOL_t-1, vol-target flow_t) = {c:.2f}; flow days 20-29 = {shock_window:.0f}bn")
        assert c < -0.2
        assert shock_window < -50.0


_mean_variance_ratio = mean_variance_ratio    # trend persistence: mean VR(k), k = 5..20 days


def test_ctas_lengthen_trends():
    on = [_mean_variance_ratio(run("baseline", days=4000, seed=s, amplification=False,
                                              overrides=LONG).timeseries) for s in (1, 2, 3)]
    off = [_mean_variance_ratio(run("baseline", days=4000, seed=s, amplification=False,
                                    disabled=["cta"], overrides=LONG).timeseries) for s in (1, 2, 3)]
    print("mean VR(5..20) with CTAs", np.round(on, 3), "without", np.round(off, 3))
    assert all(a > b for a, b in zip(on, off))


def test_buyback_blackout_days_have_lower_mean_return_than_open_window_days():
    diffs, crn = [], []
    for s in (1, 2):
        ts = run("baseline", days=6000, seed=s, amplification=False, overrides=LONG).timeseries
        ts_off = run("baseline", days=6000, seed=s, amplification=False, disabled=["buyback"],
                     overrides=LONG).timeseries
        # common random numbers: the buyback-driven part of returns, open vs blackout days
        gap, gap_crn = blackout_return_gap(ts, ts_off)
        diffs.append(gap)
        crn.append(gap_crn)
    print("mean daily return open − blackout (bp):", np.round(np.array(diffs) * 1e4, 2),
          "buyback-driven part (bp):", np.round(np.array(crn) * 1e4, 2))
    assert all(d > 0 for d in diffs)
    assert all(c > 0 for c in crn)


def test_a_fed_cut_raises_spx_and_btc_relative_to_no_cut():
    from interlock.experiments.scenarios import load_scenario
    from interlock.model.shocks import SHOCK_TYPES as SHOCKS
    base = load_scenario("baseline")
    cut = base.model_copy(update={"shocks": [SHOCKS["fed_cut"](at=10, bps=50)]})
    up_spx, up_btc = [], []
    for s in (1, 2, 3):
        a = run(base, days=40, seed=s, amplification=False).timeseries
        b = run(cut, days=40, seed=s, amplification=False).timeseries
        up_spx.append(b["SPX"].iloc[-1] / a["SPX"].iloc[-1] - 1)
        # BTC over the days after the cut: with the crypto block a single day can be a liquidation
        # cascade (easier money builds more leverage), which says nothing about the cut's sign
        up_btc.append(float((b["BTC"].iloc[11:] / a["BTC"].iloc[11:]).mean()) - 1)
        assert b["policy_rate"].iloc[-1] < a["policy_rate"].iloc[-1]
    print("SPX with cut vs without:", np.round(up_spx, 4), "BTC:", np.round(up_btc, 4))
    assert all(x > 0 for x in up_spx) and all(x > 0 for x in up_btc)


def test_amplification_ratio_reported_and_above_one_for_the_vol_shock():
    r = run("vol_shock", seed=1)
    amp = r.summary["metrics"]["amplification"]["SPX"]
    print("SPX amplification (all agents / exogenous only):", amp)
    assert amp is not None and amp > 1.0


def test_drawdown_stats_on_a_known_path():
    st = drawdown_stats(np.array([100, 110, 99, 88, 95, 111, 120]))
    assert abs(st["max_drawdown"] - 0.2) < 1e-12
    assert st["peak_day"] == 1 and st["trough_day"] == 3 and st["days_to_trough"] == 2
    assert st["recovery_days"] == 2
