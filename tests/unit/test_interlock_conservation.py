"""Money is conserved in the interlock (issue #3): every dollar that leaves a buyer along a supply
edge arrives as the seller's revenue, and cash + stakes + capacity bought account for every dollar
raised — property-based over random graphs, random decisions and random cuts, and in a full run."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interlock.config import Params
from interlock.model.interlock.deals import resolve_schedules
from interlock.model.interlock.ledger import InterlockLedger
from interlock.model.interlock.params import DealsParams, FirmsParams

_P = Params.defaults()
_F, _D = FirmsParams.from_params(_P), DealsParams.from_params(_P)


def ledger(firms, deals) -> InterlockLedger:
    """A ledger with the shipped parameters."""
    return InterlockLedger(firms, deals, "2025-11-21", days_per_year=int(_P["run.trading_days_per_year"]),
                           unknown_cash_share=_F.unknown_cash_share,
                           unknown_cash_revenue_share=_F.unknown_cash_revenue_share,
                           residual_capex_min_share=_D.residual_capex_min_share, max_stake=_D.max_stake_share)

KINDS = ["hyperscaler", "chip_vendor", "ai_lab", "neocloud", "other_suppliers"]


@st.composite
def graphs(draw):
    """A random interlock: 3–8 firms of random kinds (one 'other suppliers' node) and 1–25 deals
    of every type, schedule and settlement, starting before or after the run's start."""
    n = draw(st.integers(3, 8))
    kinds = [draw(st.sampled_from(KINDS[:4])) for _ in range(n - 1)] + ["other_suppliers"]
    money = st.floats(0.0, 500.0, allow_nan=False)
    firms = pd.DataFrame({
        "firm": [f"F{i}" for i in range(n)], "kind": kinds, "listed": [False] * n, "ticker": [""] * n,
        "market_cap_bn": [np.nan] * n,
        "valuation_bn": [draw(st.floats(1.0, 5000.0)) for _ in range(n)],
        "revenue_bn": [draw(money) for _ in range(n)],
        "capex_bn": [draw(st.floats(0.0, 200.0)) for _ in range(n)],
        "operating_cash_flow_bn": [draw(st.floats(-50.0, 200.0)) for _ in range(n)],
        "cash_bn": [draw(st.one_of(st.just(np.nan), st.floats(0.0, 100.0))) for _ in range(n)],
        "debt_bn": [draw(st.floats(0.0, 100.0)) for _ in range(n)],
        "dividend_bn": [draw(st.floats(0.0, 30.0)) for _ in range(n)],
    })
    rows = []
    for k in range(draw(st.integers(1, 25))):
        a, b = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
        kind = draw(st.sampled_from(["supply", "equity", "financing"]))
        rows.append({
            "deal_id": f"D{k}", "source_party": f"F{a}", "target_party": f"F{b}", "type": kind,
            "amount_bn": draw(st.floats(0.0, 400.0)),
            "start": pd.Timestamp("2025-11-21") + pd.Timedelta(days=draw(st.integers(-900, 900))),
            "duration_years": draw(st.sampled_from([0.0, 0.25, 1.0, 3.5, 7.0])),
            "stake_pct": draw(st.one_of(st.just(np.nan), st.floats(0.0, 30.0))),
            "schedule": draw(st.sampled_from(["", "", "ramp", "uniform"])),
            "settlement": draw(st.sampled_from(["cash", "cash", "shares"])) if kind == "equity" else "cash",
        })
    deals = pd.DataFrame(rows)
    deals["end"] = deals["start"] + pd.to_timedelta(deals["duration_years"] * 365.25, unit="D")
    return firms, resolve_schedules(deals, firms, 1.0)


def _simulate(ledger: InterlockLedger, draw, days: int = 200, step: int = 21) -> tuple[np.ndarray, np.ndarray]:
    """Drive the ledger like the block does: book at each refresh, then random decisions (capex,
    operating cash, willingness, cuts, rounds, loans), then new rates; cash moves daily. Returns
    the outside equity and the new loans each firm took."""
    n = ledger.n
    outside, borrowed = np.zeros(n), np.zeros(n)
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    values = rng.uniform(1.0, 1000.0, n)
    day = 0
    while day < days:
        t = day / 252.0
        ledger.draw_new_loans(t)
        ledger.capex = ledger.capex * rng.uniform(0.5, 1.5, n)
        ledger.operating_rate = rng.normal(0.0, 50.0, n)
        ledger.revenue_exo = rng.uniform(0.0, 100.0, n)
        ledger.revenue_ratio = rng.uniform(0.5, 1.5, n)
        i = int(rng.integers(n))
        if rng.random() < 0.3:
            ledger.cut_commitments(i, float(rng.uniform(0, 1)), t)
        if rng.random() < 0.3:
            x = float(rng.uniform(0, 50))
            ledger.raise_equity(i, x)
            outside[i] += x
        if rng.random() < 0.3:
            x = float(rng.uniform(0, 50))
            ledger.borrow(i, x)
            borrowed[i] += x
        if rng.random() < 0.3:
            ledger.pay_buybacks(rng.uniform(0.0, 5.0, n))
        ledger.rates_at(t)
        ledger.equity_rates_at(t, rng.uniform(0.0, 1.0, ledger.equity.n))
        change = ledger.daily_cash_change()
        k = min(step, days - day)
        for _ in range(k):
            ledger.cash += change
        ledger.book(k, values)
        day += k
    return outside, borrowed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(), data=st.data())
def test_every_supply_dollar_a_buyer_pays_arrives_as_the_sellers_revenue(g, data):
    firms, deals = g
    L = ledger(firms, deals)
    _simulate(L, data.draw)
    s = L.supply
    paid_by = np.bincount(s.src, L.paid, minlength=L.n)
    received = np.bincount(s.dst, L.paid, minlength=L.n)
    assert np.allclose(L.acc["purchases"], paid_by) and np.allclose(L.acc["revenue_graph"], received)
    assert np.isclose(L.acc["purchases"].sum(), L.acc["revenue_graph"].sum(), rtol=1e-12, atol=1e-9)
    assert (L.paid >= -1e-12).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(), data=st.data())
def test_cash_stakes_and_capacity_account_for_every_dollar_raised(g, data):
    firms, deals = g
    L = ledger(firms, deals)
    cost0, invested0, loans0 = L.stake_cost.sum(axis=1).copy(), L.invested_edge.copy(), L.loans.copy()
    outside, borrowed = _simulate(L, data.draw)
    a, e, f = L.acc, L.equity, L.financing
    # cash = start + operating cash + money raised − cash spent on capacity − fixed capex − investments
    # − dividends − buybacks
    assert np.allclose(L.cash_identity_gap(), 0.0, atol=1e-7 * (1.0 + np.abs(L.cash).max()))
    # every dollar raised came from an investor along an equity edge (a stake at cost on its side)
    # or from outside investors
    tranches = (L.invested_edge - invested0) * L.equity_cash
    assert np.allclose(a["raised_equity"], np.bincount(e.dst, tranches, minlength=L.n) + outside)
    assert np.allclose(L.stake_cost.sum(axis=1) - cost0, a["invested"])
    assert np.allclose(a["invested"], np.bincount(e.src, tranches, minlength=L.n))
    # every dollar borrowed is a lender's exposure (deals drawn in the run, or new loans)
    drawn_now = L.drawn & (f.start > 0)
    assert np.allclose(a["raised_debt"], borrowed + np.bincount(f.dst[drawn_now], f.amount[drawn_now], minlength=L.n))
    if L.other >= 0:
        assert np.isclose((L.loans - loans0).sum(), a["raised_debt"].sum() - borrowed[L.other])
    # capacity bought = purchases paid in cash by spenders and labs; nothing paid twice or lost
    assert np.allclose(a["cash_purchases"], a["purchases"] * L.pays_cash)


def test_every_firms_cash_changes_only_by_its_flows_in_a_run_buybacks_and_dividends_included():
    """Issue #14: buybacks and dividends leave the firms' cash. In a model run every firm's cash =
    starting cash + operating cash + equity and debt raised − purchases − fixed capex − investments −
    dividends − buybacks; the buybacks booked are exactly what each firm's buyback desk spent, and
    the dividends the firm's annual rate over the days run."""
    from interlock.model.model import CapitalFlowModel

    m = CapitalFlowModel(_P, seed=3)
    try:
        b = m.block("interlock")
        L = b.ledger
        book = m.population("buyback")
        spent = np.zeros(book.n)
        days = 70
        for _ in range(days):
            m.step()
            spent += book.spent_today
        b.flush()
        gap = L.cash_identity_gap()
        assert np.abs(gap).max() < 1e-8 * (1.0 + np.abs(L.cash).max())
        paid = np.zeros(L.n)
        np.add.at(paid, b._desk_firms, spent[b._desk_rows])
        assert np.allclose(L.acc["buybacks"], paid) and L.acc["buybacks"].sum() > 1.0     # desks bought shares
        assert np.allclose(L.acc["dividends"], L.dividend_rate * days / _P["run.trading_days_per_year"])
        assert L.acc["dividends"][L.idx["MSFT"]] > 0.0
        # a firm that pays neither is untouched by both
        assert L.acc["buybacks"][L.idx["OpenAI"]] == 0.0 and L.acc["dividends"][L.idx["OpenAI"]] == 0.0
    finally:
        m.release()
