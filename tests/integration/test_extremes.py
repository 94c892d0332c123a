"""Numerical extremes never produce NaN or negative prices."""

from __future__ import annotations

import numpy as np

from interlock.experiments.runner import run
from interlock.experiments.scenarios import load_scenario
from interlock.model.shocks import SHOCK_TYPES as SHOCKS


def _finite_positive(ts):
    num = ts.select_dtypes("number")
    assert np.isfinite(num.to_numpy()).all()
    prices = ts[["SPX", "NVDA", "REST", "BTC", "UST10"]].to_numpy()
    assert (prices > 0).all()


def test_a_fifty_percent_one_day_crash_keeps_prices_finite_and_positive():
    sc = load_scenario("baseline").model_copy(update={"shocks": [
        SHOCKS["vol_spike"](at=5, drop=-0.5, vol_points=150.0, noise_multiplier=5.0, duration=10)]})
    r = run(sc, days=60, seed=1, amplification=False)
    _finite_positive(r.timeseries)
    assert r.timeseries["SPX"].iloc[5] < 0.7 * r.timeseries["SPX"].iloc[4]
    assert np.isfinite(r.flows["usd_bn"]).all()


def test_vol_of_300_percent_keeps_everything_finite():
    sc = load_scenario("baseline").model_copy(update={"shocks": [
        SHOCKS["vol_spike"](at=3, vol_points=200.0, noise_multiplier=20.0, duration=30)]})
    r = run(sc, days=60, seed=2, amplification=False)
    _finite_positive(r.timeseries)
    assert r.timeseries["VOL_1M"].max() > 2.0


def test_huge_leverage_and_aum_past_the_instability_threshold_stay_finite():
    r = run("vol_shock", days=200, seed=1, amplification=False,
            overrides={"vol_target.aum": 20000.0, "vol_target.max_leverage": 10.0, "cta.aum": 20000.0})
    ts = r.timeseries
    _finite_positive(ts)
    # past the instability the market's guards bind, and each time they do it logs a warning event
    # with the capped amount as a number — never a NaN, never silently
    w = r.events[r.events["kind"] == "warning"]
    assert len(w) > 0
    assert (w["source"] == "market").all() and (w["channel"] == "capped").all()
    assert np.isfinite(w["usd_bn"].to_numpy(dtype=float)).all()
    # every day the index moved by more than one round's guard is a day a cap was logged
    guard = float(r.params["market.max_round_log_move"])
    moves = np.abs(np.diff(np.log(ts["SPX"].to_numpy())))
    wild_days = set(ts["day"].to_numpy()[1:][moves > guard].tolist())
    assert wild_days and wild_days <= set(w["day"].tolist())
