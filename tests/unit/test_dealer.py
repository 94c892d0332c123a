"""Options dealers (MODEL.md §3.8): long gamma in calm markets damps a move (the hedge opposes it),
short gamma when puts are bid chases it; hedges below `min_hedge` are skipped; yesterday's hedges are
unwound a share a day."""

from __future__ import annotations

import numpy as np
import pytest
from stub_model import StubModel, move_spx

from interlock.agents.dealer import DealerBook


def _book(vol_1m: float) -> tuple[StubModel, DealerBook]:
    model = StubModel()
    model.vol.vol_1m = vol_1m
    book = DealerBook(model, np.random.default_rng(0))
    model.market.begin_day()
    return model, book


def test_a_calm_long_gamma_hedge_opposes_the_move():
    model, book = _book(vol_1m=0.12)
    assert book.gamma() > 0.0
    move_spx(model.market, 0.01)
    orders, reason = book.forced_orders(1)
    m = model.market
    move = m.spx_intraday_return()
    assert reason == "gamma_hedge"
    assert orders[0, m.SPX] < 0.0                              # sells into a rise
    assert orders[0, m.SPX] == pytest.approx(-book.gamma() * move / 0.01)
    assert np.count_nonzero(orders) == 1                       # S&P index only


def test_a_stressed_short_gamma_hedge_chases_the_move():
    model, book = _book(vol_1m=0.45)
    assert book.gamma() < 0.0
    move_spx(model.market, -0.02)
    orders, _ = book.forced_orders(1)
    assert orders[0, model.market.SPX] < 0.0                   # sells into a fall
    assert orders[0, model.market.SPX] == pytest.approx(-book.gamma() * -0.02 / 0.01)


def test_gamma_flips_smoothly_around_the_stress_vol():
    _, book = _book(vol_1m=0.0)
    q = book.q
    book.model.vol.vol_1m = q.stress_vol
    assert book.gamma() == pytest.approx((q.gamma_calm + q.gamma_stressed) / 2)
    span = abs(q.gamma_calm - q.gamma_stressed)
    book.model.vol.vol_1m = q.stress_vol - 8 * q.stress_transition_width
    assert book.gamma() == pytest.approx(q.gamma_calm, abs=0.001 * span)
    book.model.vol.vol_1m = q.stress_vol + 8 * q.stress_transition_width
    assert book.gamma() == pytest.approx(q.gamma_stressed, abs=0.001 * span)


def test_later_rounds_hedge_the_move_since_the_last_round():
    model, book = _book(vol_1m=0.45)
    move_spx(model.market, -0.01)
    book.forced_orders(1)
    move_spx(model.market, -0.005, round_no=2)
    orders, _ = book.forced_orders(2)
    assert orders[0, model.market.SPX] == pytest.approx(-book.gamma() * -0.005 / 0.01)


def test_below_min_hedge_nothing_is_forced():
    model, book = _book(vol_1m=0.12)
    tiny = 0.5 * book.q.min_hedge / book.gamma() * 0.01       # a move whose hedge is half the minimum
    move_spx(model.market, tiny)
    assert book.forced_orders(1) is None


def test_the_book_unwinds_a_share_of_its_hedges_each_morning():
    model, book = _book(vol_1m=0.12)
    m = model.market
    book.units[0, m.SPX] = -2.0 / m.spx                        # short $2bn of index from yesterday
    orders = book.voluntary_orders()
    assert orders[0, m.SPX] == pytest.approx(book.q.unwind_per_day * 2.0)
    book.units[0, m.SPX] = 0.0
    assert book.voluntary_orders() is None
