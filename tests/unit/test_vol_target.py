"""Vol-target funds (MODEL.md §3.1): each fund targets an equity exposure e* = min(L_max, σ*/σ̂) of
its NAV, σ̂ the higher of a fast and a slow EWMA (risk parity: inverse-vol weights on the S&P and
UST10, levered to σ*), trades θ of the gap only when it leaves a band δ, at most a share of NAV a
day and never more than it holds, and cuts a share of its book once a day when the S&P's intraday
loss passes its risk limit (a bounded kick)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stub_model import StubModel, move_spx

from interlock.agents.vol_target import VolTargetBook


def _book(overrides: dict | None = None) -> tuple[StubModel, VolTargetBook]:
    model = StubModel(overrides)
    book = VolTargetBook(model, np.random.default_rng(3))
    model.market.begin_day()
    return model, book


@functools.cache
def _equity_only() -> VolTargetBook:
    return _book({"vol_target.risk_parity_share": 0.0})[1]


@settings(max_examples=40, deadline=None)
@given(st.floats(0.02, 1.0))
def test_the_exposure_target_is_the_target_vol_over_realised_vol_capped_at_max_leverage(vol):
    book = _equity_only()
    book.var_eq[:] = vol ** 2 / book.ann
    book.var_eq_slow[:] = 0.5 * vol ** 2 / book.ann              # the higher of the two counts
    for fund in book.members:
        assert not fund.is_risk_parity
        assert fund.realised_vol == pytest.approx(vol)
        assert fund.target_exposure == pytest.approx(min(book.q.max_leverage, fund.sigma_target / vol))


def test_risk_parity_funds_take_equal_risk_in_stocks_and_bonds_levered_to_their_target():
    _, book = _book({"vol_target.risk_parity_share": 1.0, "vol_target.max_leverage": 20.0})
    book.var_eq[:] = 0.20 ** 2 / book.ann
    book.var_bond[:] = 0.06 ** 2 / book.ann
    nav = book.nav()
    tgt = book.targets() / nav[:, None]                       # exposures per unit NAV
    assert tgt[:, 0] * 0.20 == pytest.approx(tgt[:, 1] * 0.06)
    assert np.hypot(tgt[:, 0] * 0.20, tgt[:, 1] * 0.06) == pytest.approx(book.sigma_target)


def test_funds_start_at_target_and_do_not_trade_inside_the_band():
    _, book = _book({"vol_target.risk_parity_share": 0.0})
    assert not book.voluntary_orders().any()
    # a small rise in realised vol: every fund's gap stays inside the band
    vol0 = math.sqrt(book.var_eq[0] * book.ann)
    book.var_eq[:] = (vol0 * 1.01) ** 2 / book.ann
    gap = book.targets()[:, 0] - book.holdings()[:, book.market.SPX]
    assert np.all(np.abs(gap) < book.q.band * book.nav())
    assert not book.voluntary_orders().any()


def test_a_vol_spike_deleverages_by_a_share_theta_of_the_gap():
    model, book = _book({"vol_target.risk_parity_share": 0.0})
    m = model.market
    move_spx(m, -0.06)                                          # a −6% day …
    m.end_day()
    book.end_day(np.zeros(m.n))                                  # … lifts every fund's σ̂
    m.begin_day()
    gap = book.targets()[:, 0] - book.holdings()[:, m.SPX]
    orders = book.voluntary_orders()
    outside = np.abs(gap) > book.q.band * book.nav()
    assert outside.any() and np.all(gap[outside] < 0.0)
    cap = book.q.max_daily_change * book.nav()[outside]
    assert orders[outside, m.SPX] == pytest.approx(np.maximum(book.speed[outside] * gap[outside], -cap))
    assert np.all(orders[~outside] == 0.0)


def test_a_loss_limit_breach_forces_a_risk_exit_once_a_day():
    model, book = _book()
    m = model.market
    loss = float(np.median(book.loss_limit))
    move_spx(m, -loss - 1e-4)
    held = book.holdings()[:, m.SPX].copy()
    orders, reason = book.forced_orders(1)
    hit = book.loss_limit < loss + 1e-4
    assert reason == "risk_exit" and 0 < hit.sum() < book.n
    assert orders[hit, m.SPX] == pytest.approx(-book.q.exit_fraction * held[hit])
    assert np.all(orders[~hit] == 0.0)
    book.fill(orders, m.instrument_prices())
    assert book.forced_orders(2) is None                        # the same funds do not exit twice
    move_spx(m, -0.03, round_no=2)                              # a deeper fall: the others exit
    orders, _ = book.forced_orders(3)
    assert np.all(orders[~hit, m.SPX] < 0.0) and np.all(orders[hit] == 0.0)


def test_a_fund_never_sells_more_than_it_holds_and_trades_at_most_its_daily_cap():
    model, book = _book({"vol_target.risk_parity_share": 0.0, "vol_target.speed_min": 1.0,
                         "vol_target.speed_max": 1.0})
    m = model.market
    book.var_eq[:] = 10.0 ** 2 / book.ann                       # absurd vol: target ≈ 0
    orders = book.voluntary_orders()
    held = book.holdings()[:, m.SPX]
    assert np.all(orders[:, m.SPX] >= -held - 1e-9)
    assert np.all(np.abs(orders[:, m.SPX]) <= book.q.max_daily_change * book.nav() + 1e-9)


def test_the_risk_exits_of_a_day_add_up_to_at_most_the_max_kick():
    model, book = _book()
    m = model.market
    kick = book.max_kick()
    total = 0.0
    for k in range(1, 6):
        move_spx(m, -0.02, round_no=k)
        res = book.forced_orders(k)
        if res is not None:
            total += -res[0][:, m.SPX].sum()
            book.fill(res[0], m.instrument_prices())
    assert 0 < total <= kick + 1e-9
