"""Buyback desks (MODEL.md §3.3): a quarterly budget = payout share × (operating cash flow − capex)/4,
cut by bans and taxes, spent over the quarter at full pace in open windows and at
`blackout_volume_share` of it in blackouts (10b5-1 plans), more on down days (a price grid)."""

from __future__ import annotations

import numpy as np
import pytest
from stub_model import StubModel

from interlock.agents.buyback import BuybackBook
from interlock.inputs.firms import load_firms


def _book(overrides: dict | None = None) -> tuple[StubModel, BuybackBook]:
    model = StubModel(overrides)
    return model, BuybackBook(model, np.random.default_rng(0))


def _day(model: StubModel, book: BuybackBook, day: int) -> np.ndarray:
    model.day = day
    model.market.begin_day()
    book.voluntary_orders()
    return book.spent_today.copy()


def test_the_budget_is_the_payout_share_of_cash_flow_after_capex():
    _, book = _book()
    firms = load_firms().set_index("ticker")
    budget = dict(zip(book.desk_names, book.quarterly_budget()))
    for name in ("MSFT", "NVDA", "GOOGL"):
        f = firms.loc[name]
        payout = f.buyback_bn / (f.operating_cash_flow_bn - f.capex_bn)
        assert budget[name] == pytest.approx(payout * (f.operating_cash_flow_bn - f.capex_bn) / 4)
    assert budget["ORCL"] == 0.0 and budget["CRWV"] == 0.0          # capex above cash flow
    # REST's cohorts buy what the S&P 500 buys beyond the listed firms' last-year buybacks
    rest = np.array([n.startswith("REST-") for n in book.desk_names])
    listed_bb = firms.loc[[n for n in book.desk_names if not n.startswith("REST-")], "buyback_bn"].sum()
    assert rest.sum() == book.q.rest_cohorts
    assert 4 * book.quarterly_budget()[rest].sum() == pytest.approx(book.q.sp500_annual - listed_bb)


def test_more_capex_crowds_buybacks_out():
    _, book = _book()
    i = book.desk_names.index("META")
    before = book.quarterly_budget()[i]
    book.fcf_annual[i] -= 20.0                                      # the firm block raises capex
    assert before - book.quarterly_budget()[i] == pytest.approx(book.payout[i] * 20.0 / 4)


def test_a_quarter_spends_the_budget_at_the_blackout_share_of_the_open_window_pace():
    model, book = _book()
    budget = book.quarterly_budget()
    days = range(1, book.q_len)
    spent = np.array([_day(model, book, d) for d in days])          # no price moves: grid 1
    assert spent.sum(axis=0) == pytest.approx(budget)
    intensity = np.array([book.intensity_profile[:, d % book.q_len] for d in days])
    pace = spent / intensity                                         # spend per unit of intensity
    buying = budget > 0
    assert pace[:, buying] == pytest.approx(np.broadcast_to(pace[0, buying], pace[:, buying].shape))
    blackout = intensity < 1.0
    assert blackout[:, buying].any() and (~blackout[:, buying]).any()
    assert set(np.unique(intensity)) == {book.q.blackout_volume_share, 1.0}
    nvda = book.desk_names.index("NVDA")                             # earnings on day 1
    assert not book.window_open(day=1)[nvda] and book.window_open(day=10)[nvda]


def test_desks_buy_more_on_down_days():
    model, book = _book()
    m = model.market
    base = _day(model, book, 10)
    sd = np.sqrt(m.var_fast[book.asset])
    for r, grid in ((-2.0, min(1 + 2 * book.q.grid_slope, book.q.grid_max)), (+2.0, 1.0), (-50.0, book.q.grid_max)):
        _, again = _book()
        again.model.market.last_returns[again.asset] = r * sd        # yesterday's move in daily s.d.
        spent = _day(again.model, again, 10)
        assert spent == pytest.approx(grid * base)


def test_a_ban_stops_the_named_desks_and_a_tax_cuts_every_budget():
    _, book = _book()
    budget = book.quarterly_budget()
    banned = np.array([n.startswith("REST") for n in book.desk_names])
    book.ban_share[banned] = 1.0
    assert np.all(book.quarterly_budget()[banned] == 0.0)
    assert book.quarterly_budget()[~banned] == pytest.approx(budget[~banned])
    book.ban_share[:] = 0.0
    book.tax_rate = 0.1
    assert book.quarterly_budget() == pytest.approx(budget * (1 - book.q.tax_elasticity * 0.1))


def test_a_ban_binds_mid_quarter():
    model, book = _book()
    _day(model, book, 5)
    book.ban_share[:] = 1.0
    assert not _day(model, book, 6).any()


def test_repurchased_shares_are_retired():
    model, book = _book()
    m = model.market
    _day(model, book, 10)
    orders = np.zeros((book.n, m.n_instr))
    orders[np.arange(book.n), book.asset] = book.spent_today
    book.fill(orders, m.instrument_prices())
    assert not book.units.any()                                      # the desk holds nothing
    assert book.cash == pytest.approx(-book.spent_today)
