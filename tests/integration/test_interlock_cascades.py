"""Cascades through the AI capital interlock (issue #3, MODEL.md §6.1): a capex cut at one
hyperscaler reaches its suppliers' revenue and prices within the quarter and their equity
investors; removing equity edges shrinks the cascade; a lab that cannot raise money cuts its
commitments and the cut reaches Oracle and CoreWeave; the firm block feeds buybacks, the macro
block and values; money is conserved in a full run."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from interlock.experiments.runner import build_model, run
from interlock.experiments.scenarios import load_scenario
from interlock.model.shocks import SHOCK_TYPES as SHOCKS
from interlock.model.interlock.deals import default_deals_path

CUT_DAY = 20
QUARTER = 63
LOW = {"interlock.cascade_min_bn": 0.01}          # report small hops too (reporting threshold only)


@functools.lru_cache(maxsize=16)
def _run(shocks: tuple = (), days: int = CUT_DAY + QUARTER, seed: int = 1, overrides: tuple = ()):
    base = load_scenario("baseline")
    sc = base.model_copy(update={"shocks": [SHOCKS[t](**dict(kw)) for t, kw in shocks]})
    return run(sc, days=days, seed=seed, overrides=dict(overrides), amplification=False)


def _msft_cut(overrides=()):
    return _run((("capex_cut", (("at", CUT_DAY), ("firms", ("MSFT",)), ("share", 0.3))),), overrides=overrides)


def _cascade(result, day=None):
    ev = result.events
    ev = ev[ev["kind"] == "cascade"]
    return ev if day is None else ev[ev["day"] == day]


def test_a_capex_cut_at_one_hyperscaler_lowers_suppliers_revenue_and_prices_within_the_quarter():
    base, cut = _run(overrides=tuple(LOW.items())), _msft_cut(tuple(LOW.items()))
    end = CUT_DAY + QUARTER
    for supplier in ("nvda", "other", "coreweave", "nebius"):
        b, c = base.timeseries[f"revenue_{supplier}_bn"], cut.timeseries[f"revenue_{supplier}_bn"]
        assert c.iloc[CUT_DAY - 1] == pytest.approx(b.iloc[CUT_DAY - 1])           # the same before the cut
        # lower from the day of the cut on, on every day of the quarter
        lower = c.iloc[CUT_DAY:end].to_numpy() < b.iloc[CUT_DAY:end].to_numpy()
        assert len(lower) == QUARTER and lower.all(), f"{supplier}: not lower on days {np.flatnonzero(~lower) + CUT_DAY}"
    for ticker in ("NVDA", "NBIS"):
        assert cut.timeseries[ticker].iloc[end] < base.timeseries[ticker].iloc[end]
    assert cut.timeseries["capex_msft_bn"].iloc[CUT_DAY] == pytest.approx(0.7 * base.timeseries["capex_msft_bn"].iloc[CUT_DAY])
    hops = _cascade(cut, CUT_DAY)
    assert {("MSFT", "NVDA", "supply"), ("MSFT", "CoreWeave", "supply"), ("MSFT", "Nebius", "supply")} <= set(
        zip(hops["source"], hops["target"], hops["channel"]))


def test_the_capex_cut_reaches_the_suppliers_equity_investors():
    hops = _cascade(_msft_cut((("interlock.cascade_min_bn", 0.001),)), CUT_DAY)
    equity = hops[hops["channel"] == "equity"]
    # CoreWeave lost Microsoft's rentals: NVIDIA (≈7%) and OpenAI (≈1%, its $0.35B of IPO shares: a
    # markdown of a few $M, reported from $1M here) hold CoreWeave shares
    assert {("CoreWeave", "NVDA"), ("CoreWeave", "OpenAI")} <= set(zip(equity["source"], equity["target"]))


def test_removing_equity_edges_shrinks_the_cascades_reach(tmp_path):
    deals = pd.read_csv(default_deals_path(), dtype=str, keep_default_na=False)
    path = tmp_path / "deals_no_equity.csv"
    deals[deals["type"] != "equity"].to_csv(path, index=False)
    with_eq = _cascade(_msft_cut(tuple(LOW.items())), CUT_DAY)
    without = _cascade(_msft_cut(tuple({**LOW, "interlock.deals_file": str(path)}.items())), CUT_DAY)
    print("firms hit with equity edges", sorted(set(with_eq["target"])), "without", sorted(set(without["target"])))
    assert set(without["target"]) < set(with_eq["target"])
    assert without["usd_bn"].sum() < with_eq["usd_bn"].sum()
    assert "equity" not in set(without["channel"])


def test_a_lab_that_cannot_raise_money_cuts_commitments_and_the_cut_reaches_oracle_and_coreweave():
    days = 300                                     # Oracle's OpenAI contract runs from 2027 (day ≈ 275)
    base = _run(days=days)
    gap = _run((("lab_funding_gap", (("at", 10), ("labs", ("OpenAI",)), ("share", 1.0))),), days=days)
    cuts = _cascade(gap)
    cuts = cuts[(cuts["source"] == "OpenAI") & (cuts["channel"] == "supply")]
    assert {"ORCL", "CoreWeave", "NVDA", "AVGO", "AMD", "MSFT"} <= set(cuts["target"])
    assert gap.timeseries["commitments_cut_bn"].iloc[-1] > base.timeseries["commitments_cut_bn"].iloc[-1] + 100
    for firm in ("orcl", "coreweave"):
        assert gap.timeseries[f"revenue_{firm}_bn"].iloc[-1] < base.timeseries[f"revenue_{firm}_bn"].iloc[-1]
    # the market prices the gap from the day investors walk away: Oracle trades below the baseline
    gap_move = np.log(gap.timeseries["ORCL"].iloc[11:120].to_numpy() / base.timeseries["ORCL"].iloc[11:120].to_numpy())
    assert gap_move.mean() < 0
    assert gap.timeseries["lab_cash_openai_bn"].iloc[-1] < base.timeseries["lab_cash_openai_bn"].iloc[-1]


def test_circularity_per_firm_is_reported_in_the_summary():
    s = _run(days=40).summary["metrics"]["interlock"]
    circ = s["circularity"]
    assert set(circ) >= {"NVDA", "MSFT", "ORCL", "OpenAI", "CoreWeave"}
    assert all(0.0 <= v <= 1.0 for v in circ.values())
    assert circ["NVDA"] > 0.0                       # NVIDIA's stakes fund purchases of NVIDIA chips


def test_the_summary_counts_the_cascade_events_of_the_run():
    r = _run(days=40)
    s = r.summary["metrics"]["interlock"]["cascade"]
    casc = _cascade(r)
    assert s["events"] == len(casc) > 0
    assert s["firms_hit"] == sorted(set(casc["target"]))
    by_channel = casc.groupby("channel")["usd_bn"].sum()
    assert s["usd_bn_by_channel"] == pytest.approx(by_channel.to_dict())


def test_an_ai_capex_boom_crowds_out_buybacks_and_feeds_ai_capex_growth_to_the_macro_block():
    base = _run(days=130)
    boom = _run((("agentic_adoption", (("at", 5), ("multiplier", 3.0))),), days=130)
    # the buyback desks read OCF − capex from the firm block: more capex, smaller budgets
    assert boom.timeseries["capex_msft_bn"].iloc[-1] > base.timeseries["capex_msft_bn"].iloc[-1]
    spent = lambda r: r.flows[(r.flows["agent_class"] == "buyback") & (r.flows["asset"] == "MSFT")]["usd_bn"].sum()  # noqa: E731
    assert spent(boom) < spent(base)
    # the macro block reads the y/y change in AI capex (seeds/001: AI capex props GDP up)
    growth = []
    for shocks in ((), (SHOCKS["agentic_adoption"](at=5, multiplier=3.0),)):
        m = build_model(load_scenario("baseline").model_copy(update={"shocks": list(shocks)}), seed=1)
        try:
            for _ in range(130):
                m.step()
            growth.append(m.macro.ai_capex_growth_bn)
        finally:
            m.release()
    print("y/y AI capex growth fed to the macro block, baseline vs boom ($bn):", np.round(growth, 1))
    assert growth[1] > growth[0] + 25


def test_firm_values_set_the_valuation_base_without_double_counting_the_discount_rate():
    m = build_model("baseline", seed=3, disabled=["fed"])
    try:
        b, v, mk = m.block("interlock"), m.valuation, m.market
        for _ in range(70):                         # past several guidance days
            m.step()
        i = mk.idx["NVDA"]
        k = list(b.listed_assets).index(i)
        expected = b.logv_anchor[k] - b.duration[k] * (v.y_fair - b.y_anchor)
        # liquidity, growth and the risk premium reach prices through the news path
        # (valuation._policy_values → market.news), never through the fundamental value
        assert mk.fundamental_logv[i] == pytest.approx(expected, abs=1e-9)
        assert b.value[b.ledger.idx["NVDA"]] != pytest.approx(b.value0[b.ledger.idx["NVDA"]])
    finally:
        m.release()


def test_money_is_conserved_in_a_full_run():
    m = build_model("ai_capex_bust", seed=2)
    try:
        for _ in range(150):
            m.step()
        b = m.block("interlock")
        b.flush()
        L = b.ledger
        assert np.allclose(L.cash_identity_gap(), 0.0, atol=1e-6)
        assert L.acc["purchases"].sum() == pytest.approx(L.acc["revenue_graph"].sum())
        assert b.commitments_cut > 0
    finally:
        m.release()


def test_switching_the_interlock_off_leaves_the_engine_running_without_firm_columns():
    r = _run(days=10, overrides=(("interlock.enabled", False),))
    assert "utilisation" not in r.timeseries and "interlock" not in r.summary["metrics"]
    assert not (r.events["kind"] == "cascade").any()
