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


def test_crypto_to_ai_rotation_sells_retail_btc_and_buys_ai_stocks_in_the_rally_and_reverses_in_the_bust():
    """The scenario against the same seed without its shocks (targets.md §8, /work/scratch/macro): while
    the AI momentum builds (days 10–89 of the +100% rally) retail holders' net BTC flow falls by
    more than 2% of their BTC (≈ $300bn) and a share of it goes into the listed AI firms; at the AI
    peak BTC is 2–15% below the base; when AI disappoints (days 170–229) money goes back to BTC out
    of the AI stocks. Over the whole rally the level targets give back part of the AI purchases as
    the rotation signal fades (docs/crypto.md), so the claim is made on the rally's first 80 days."""
    _, rot_ts, rot, _ = run_small("crypto_to_ai_rotation", days=230)
    _, base_ts, base, _ = run_small("crypto_to_ai_rotation", shocks=[], days=230)
    sold = btc_flows(base, first=10, last=89, voluntary_only=True) - btc_flows(rot, first=10, last=89, voluntary_only=True)
    bought_ai = ai_flows(rot, 10, 89) - ai_flows(base, 10, 89)
    assert sold > 0.02 * float(base_ts["retail_btc_bn"].iloc[10])
    assert bought_ai > 0.25 * sold
    assert 0.85 < rot_ts["BTC"].iloc[159] / base_ts["BTC"].iloc[159] < 0.98
    back = btc_flows(rot, first=170, last=229, voluntary_only=True) - btc_flows(base, first=170, last=229, voluntary_only=True)
    assert back > 0.0 and ai_flows(rot, 170, 229) < ai_flows(base, 170, 229)
