"""Volatility ETPs (interlock/agents/vol_etp.py; issue #12 item 5, February 2018): the daily-reset
rebalancing trade, the termination event, the bounded, concave impact and the close's round gain."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from interlock.agents.vol_etp import VolETPBook, phi, round_gain
from interlock.config import Params
from interlock.model import stability as ST
from interlock.model.market import Market
from interlock.model.volatility import ImpliedVol

P = Params.defaults()
FEB2018 = P.with_overrides({"vol_etp.inverse_aum": 3.6, "vol_etp.long_aum": 1.0}, "test")
KEYS = ("inverse_aum", "inverse_leverage", "long_aum", "long_leverage", "impact_y", "futures_daily_vol",
        "vega_adv_bn", "crossover_share", "min_vol_points")


def _book(p=P, **aum) -> VolETPBook:
    b = VolETPBook.from_params(p)
    for i, name in enumerate(b.names):
        if name in aum:
            b.aum[i] = aum[name]
            b.alive[i] = aum[name] > 0
    return b


def test_both_inverse_and_2x_products_buy_2_nav_r_of_futures_when_the_index_rises():
    # −1×: L(L−1) = 2; 2×: L(L−1) = 2 (Bank Underground, 24 Apr 2018: procyclical for both)
    inv = _book(inverse=1.0, long=0.0)
    lng = _book(inverse=0.0, long=1.0)
    for r in (0.05, -0.05, 0.3):
        assert inv._trade(r) == pytest.approx(2.0 * r)
        assert lng._trade(r) == pytest.approx(2.0 * r)


def test_an_inverse_product_that_loses_80_percent_in_a_day_ends_and_stops_rebalancing():
    b = _book(inverse=3.6, long=0.0)
    b.rebalance(1, vix_return=0.9 / b.q.futures_beta, prev_level=17.0)      # futures index ≥ +90%
    assert b.alive == [False, False] and b.aum[0] == 0.0
    assert b.history[-1].terminated == ("inverse",)
    assert b.rebalance(2, vix_return=0.5, prev_level=30.0) == 0.0           # no more trading
    # a 50% loss is not an acceleration event
    b2 = _book(inverse=3.6, long=0.0)
    b2.rebalance(1, vix_return=0.5 / b2.q.futures_beta, prev_level=17.0)
    assert b2.alive[0] and 0.0 < b2.aum[0] < 3.6 * 0.55


def test_the_impact_is_square_root_for_large_demand_and_bounded_by_the_open_interest():
    xc = P["vol_etp.crossover_share"]
    assert phi(100.0 * xc, xc) / phi(25.0 * xc, xc) == pytest.approx(2.0, rel=0.1)   # sqrt: 4× → ≈2×
    assert phi(-1.0, xc) == -phi(1.0, xc)
    b = _book(inverse=1000.0, long=0.0)                                      # absurdly large products
    d, _ = b._impact(1e6, 20.0)
    cap = P["vol_etp.open_interest_vega_bn"] / P["vol_etp.vega_adv_bn"]
    assert d == pytest.approx(P["vol_etp.impact_y"] * P["vol_etp.futures_daily_vol"] * phi(cap, xc))


def test_the_closes_round_gain_is_below_one_over_the_plausible_box():
    ranges = [ST.plausible(f"vol_etp.{k}") for k in KEYS]
    worst = max(round_gain(dict(zip(KEYS, c))) for c in itertools.product(*ranges))
    print("worst round gain", round(worst, 3))
    assert worst < 1.0
    # the February 2018 products sit inside the box
    assert ST.plausible("vol_etp.inverse_aum")[1] >= 3.6 and ST.plausible("vol_etp.long_aum")[1] >= 1.0


def test_the_rebalancing_loop_contracts_at_least_as_fast_as_the_bound_says():
    b = _book(FEB2018)
    g = round_gain({k: FEB2018[f"vol_etp.{k}"] for k in KEYS})
    b.rebalance(1, vix_return=0.5, prev_level=FEB2018["vol_etp.min_vol_points"])
    h = b.history[-1]
    assert b.converged and h.r_after > h.r_before > 0
    # rounds needed for 1e-12 from a first step of at most r_before: log(tol/r0)/log(g)
    assert h.rounds <= math.ceil(math.log(1e-12 / h.r_before) / math.log(g)) + 2


def test_with_the_feb_2018_products_a_rise_in_vol_1m_is_amplified_outside_the_hedging_demand():
    def close(p, news_var):
        m = Market(p, np.random.default_rng(0))
        iv = ImpliedVol(p, m)
        iv.add_hedging_demand(news_var)
        iv.update(0.0, 0.0)
        return iv.vol_1m, iv.hedging
    on = close(FEB2018, 0.01)
    off = close(FEB2018.with_overrides({"vol_etp.enabled": False}, "test"), 0.01)
    assert on[0] > off[0] and on[1] == off[1]          # the ETPs add to VOL_1M, not to H


def test_the_2025_products_add_little_on_an_ordinary_day():
    m = Market(P, np.random.default_rng(0))
    iv = ImpliedVol(P, m)
    v0 = iv.vol_1m
    iv.add_hedging_demand((v0 * 1.05) ** 2 - v0 ** 2)   # a +5% day for VOL_1M
    before = iv.vol_1m
    iv.update(0.0, 0.0)
    h = iv.etp.history[-1]
    assert abs(h.vega_bn) < 0.01                       # < $10M of vega (typical day: $250M traded)
    assert abs(h.r_after - h.r_before) < 0.001


def test_the_5_feb_2018_futures_move_implies_an_impact_at_which_the_loop_runs_away():
    """History: the short-term futures index was ≈ +24% at 3:35 pm (the products' moves 'more than
    quadrupled' from there to +96.1%; Harwood, Six Figure Investing; Invest In Vol) on ≈ $4bn of
    front futures traded at the close at ≈ 30 points. The square-root law then needs Y·σ_F of 0.6–0.9 —
    over ten times an ordinary day's — and at that impact the close's round gain for the products of
    2 Feb 2018 is above 1 at any futures level of the day (20–33 points)."""
    move = math.log(1.961 / 1.24)
    x = (4.0 / 30.0) / P["vol_etp.vega_adv_bn"]
    xc = P["vol_etp.crossover_share"]
    y_sigma = move / phi(x, xc)
    ordinary = P["vol_etp.impact_y"] * P["vol_etp.futures_daily_vol"]
    print("implied Y·σ_F", round(y_sigma, 2), "pure square root", round(move / math.sqrt(x), 2))
    assert y_sigma > 10 * ordinary and move / math.sqrt(x) > 10 * ordinary
    v = {k: FEB2018[f"vol_etp.{k}"] for k in KEYS}
    for level in (20.0, 33.0):
        g = round_gain({**v, "impact_y": 1.0, "futures_daily_vol": y_sigma, "min_vol_points": level})
        print("gain at", level, round(g, 2))
        assert g > 1.0


def test_a_terminated_product_is_an_event_and_the_products_are_columns_of_the_run():
    """What the products did shows in a run's outputs: their AUM and their part of implied variance
    as columns, an acceleration as an event (and, were the close's loop not to converge, the run's
    stability would say so)."""
    from interlock.experiments.runner import build_model
    model = build_model("baseline", seed=1, overrides={"vol_etp.inverse_aum": 3.6, "vol_etp.long_aum": 1.0})
    model.step()
    assert model.series.frame()["vol_etp_aum_bn"].iloc[-1] == pytest.approx(sum(model.vol.etp.aum))
    model.vol.add_hedging_demand(1.0)             # VOL_1M several times its close: the futures index > +80%
    model.step()
    ev = model.events.frame()
    hit = ev[(ev.source == "vol_etp") & (ev.channel == "termination")]
    assert len(hit) == 1 and hit.day.iloc[0] == model.day and "inverse" in hit.detail.iloc[0]
    ts = model.series.frame()
    assert ts["vol_etp_aum_bn"].iloc[-1] == pytest.approx(model.vol.etp.aum[1]) and model.vol.etp.aum[0] == 0.0
    assert ts["etp_demand"].iloc[-1] == model.vol.etp_demand
    assert model.stability()["stable"]
