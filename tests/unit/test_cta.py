"""CTAs (MODEL.md §3.2): a blend of vol-normalised EWMA crossovers (8/32, 16/64, 32/128 days)
squashed to [−1, 1] gives each fund's signal per market; positions follow signal · σ*/σ̂ · NAV at
speed θ; a move against a position beyond k daily s.d. within the day forces a stop-out."""

from __future__ import annotations

import math

import numpy as np
import pytest
from stub_model import StubModel, move_spx

from interlock.agents.cta import CTABook


def _book(overrides: dict | None = None) -> tuple[StubModel, CTABook]:
    model = StubModel(overrides)
    book = CTABook(model, np.random.default_rng(5))
    model.market.begin_day()
    return model, book


def _trend(model: StubModel, book: CTABook, daily: float, days: int) -> None:
    """`days` days on which the S&P, UST10 and BTC all move by `daily` (log)."""
    m = model.market
    for _ in range(days):
        m.begin_day()
        m.clear(np.zeros(m.n_instr), 0, np.full(m.n, daily))   # news moves every asset alike
        book.end_day(m.end_day())


def test_a_rising_trend_gives_every_fund_a_long_signal_and_a_buy_order():
    model, book = _book()
    _trend(model, book, 0.004, 60)
    sig = book.signal_matrix()
    assert np.all(sig > 0.0) and np.all(sig <= 1.0)
    orders = book.voluntary_orders()
    assert np.all(orders[:, book.cols] > 0.0)
    assert all(s > 0 for s in book.members[0].signals.values())


def test_a_falling_trend_gives_a_short_signal():
    model, book = _book()
    _trend(model, book, -0.004, 60)
    assert np.all(book.signal_matrix() < 0.0)
    assert np.all(book.voluntary_orders()[:, book.cols] < 0.0)


def test_the_signal_is_the_blend_of_vol_normalised_crossovers():
    model, book = _book()
    _trend(model, book, 0.003, 30)
    m = model.market
    sd = np.sqrt([m.var_fast[m.equity_idx[-1]], m.var_fast[m.ust10], m.var_fast[m.btc]])
    ema = book.ema
    spans = list(book.spans)
    y = np.stack([(ema[:, spans.index(f)] - ema[:, spans.index(s)]) / (sd * math.sqrt(s))
                  for f, s in [(8, 32), (16, 64), (32, 128)]], axis=1)
    assert book.signal_matrix() == pytest.approx(np.tanh(book.blend @ y.T / book.scale[:, None]))


def test_positions_are_capped_at_max_leverage():
    model, book = _book({"cta.speed_min": 1.0, "cta.speed_max": 1.0, "cta.target_vol": 2.0,
                         "cta.max_leverage": 0.1, "cta.max_share_equity": 1.0, "cta.max_share_bond": 1.0,
                         "cta.max_share_btc": 1.0})
    _trend(model, book, 0.004, 60)
    orders = book.voluntary_orders()
    nav = book.nav()
    assert orders[:, book.cols] == pytest.approx(book.q.max_leverage * nav[:, None] * np.ones((1, 3)))


def test_all_ctas_together_hold_at_most_their_share_of_each_markets_size_at_any_price():
    """The futures open interest that exists bounds the CTAs' book relative to the market's size, so
    a BTC that loses 90% of its value shrinks the CTAs' largest BTC position (and their largest
    stop-out) with it — the bound that keeps a 12-year baseline's BTC corner stable."""
    model, book = _book({"cta.speed_min": 1.0, "cta.speed_max": 1.0, "cta.target_vol": 2.0,
                         "cta.max_leverage": 50.0})
    m = model.market
    for daily in (0.004, -0.045):                    # a rising market; then BTC and all fall > 90%
        _trend(model, book, daily, 60)
        orders = book.voluntary_orders()[:, book.cols]            # speed 1: orders = target − position
        prices = m.instrument_prices()
        target = orders + book.units[:, book.cols] * prices[book.cols]
        limit = book.max_share * book.market_sizes()
        assert np.abs(target).sum(axis=0) == pytest.approx(limit, rel=1e-9)   # binds (L_max is huge)
    assert book.market_sizes()[2] == pytest.approx(m.cap[m.btc]) and m.cap[m.btc] < 0.1 * m.cap0[m.btc]


def test_a_stop_out_is_forced_when_the_intraday_move_crosses_the_threshold():
    model, book = _book()
    m = model.market
    book.units[:, m.SPX] = 1.0 / m.spx                          # every fund long $1bn of the S&P
    limit = book.q.stop_loss_sigmas * math.sqrt(m.var_fast[m.equity_idx[-1]])
    move_spx(m, -0.5 * limit)
    assert book.forced_orders(1) is None                        # inside the threshold: hold
    move_spx(m, -0.6 * limit, round_no=2)                        # now 1.1 thresholds down
    orders, reason = book.forced_orders(2)
    assert reason == "stop_out"
    held = book.units[:, m.SPX] * m.spx
    assert orders[:, m.SPX] == pytest.approx(-book.q.stop_fraction * held)
    assert np.count_nonzero(orders[:, [m.ust10, m.btc]]) == 0
    assert book.forced_orders(3) is None                        # once per market per day
    book.begin_day()
    assert book.forced_orders(1) is not None                    # the next day it may stop out again


def test_a_move_in_favour_of_the_position_stops_nobody_out():
    model, book = _book()
    m = model.market
    book.units[:, m.SPX] = 1.0 / m.spx
    move_spx(m, 0.05)
    assert book.forced_orders(1) is None
