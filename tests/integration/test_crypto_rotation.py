"""Rotation between crypto and AI equities (seeds/000: Korean retail left crypto for the AI rally;
money returns to crypto if AI disappoints)."""

from __future__ import annotations

from crypto_helpers import btc_flows, run_small

RALLY = [("ai_rerating", {"at": 5, "duration": 60, "total_return": 1.0})]
BUST = RALLY + [("ai_rerating", {"at": 70, "duration": 30, "total_return": -0.3})]
AI = ["NVDA", "MSFT", "GOOGL", "AMZN", "META", "ORCL", "AMD", "AVGO", "CRWV", "NBIS"]


def ai_flows(flows, first, last):
    f = flows[(flows["agent_class"] == "retail_crypto") & flows["asset"].isin(AI)
              & flows["day"].between(first, last)]
    return float(f["usd_bn"].sum())


def test_an_ai_equity_rally_draws_retail_money_out_of_btc_into_ai_stocks():
    _, _, base, _ = run_small(shocks=[], days=70)
    _, _, rally, _ = run_small(shocks=RALLY, days=70)
    assert btc_flows(rally, first=5, last=69, voluntary_only=True) < \
        btc_flows(base, first=5, last=69, voluntary_only=True) - 1.0
    assert ai_flows(rally, 5, 69) > ai_flows(base, 5, 69) + 1.0
    assert ai_flows(rally, 5, 69) > 0.0


def test_an_ai_bust_sends_some_money_back_to_btc():
    _, _, rally, _ = run_small(shocks=RALLY, days=110)
    _, _, bust, _ = run_small(shocks=BUST, days=110)
    assert btc_flows(bust, first=70, last=109, voluntary_only=True) > \
        btc_flows(rally, first=70, last=109, voluntary_only=True) + 1.0
    assert ai_flows(bust, 70, 109) < ai_flows(rally, 70, 109)
