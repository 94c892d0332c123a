"""Leveraged retail positions are liquidated in the clearing rounds; the cascade deepens crypto
drawdowns (MODEL.md §3.5, §6.1)."""

from __future__ import annotations

import numpy as np
from crypto_helpers import SMALL, run_small

from interlock.experiments.metrics import drawdown_stats
from interlock.experiments.runner import run

CRISIS_DAYS = 35


def liquidated(model) -> float:
    return model.population("retail_crypto").liquidated_total_bn


def test_liquidated_dollars_rise_with_the_share_of_leveraged_holders():
    few = run_small("crypto_trust_crisis", days=CRISIS_DAYS, **{"retail_crypto.leveraged_share": 0.05})[0]
    many = run_small("crypto_trust_crisis", days=CRISIS_DAYS, **{"retail_crypto.leveraged_share": 0.2})[0]
    assert liquidated(many) > 1.5 * liquidated(few) > 0.0


def test_liquidated_dollars_rise_with_leverage():
    low = run_small("crypto_trust_crisis", days=CRISIS_DAYS,
                    **{"retail_crypto.leverage_min": 1.5, "retail_crypto.leverage_max": 4.0})[0]
    high = run_small("crypto_trust_crisis", days=CRISIS_DAYS,
                     **{"retail_crypto.leverage_min": 3.0, "retail_crypto.leverage_max": 20.0})[0]
    assert liquidated(high) > 1.5 * liquidated(low)


def test_switching_liquidations_off_shrinks_the_crypto_trust_crisis_drawdown():
    on = run_small("crypto_trust_crisis", days=CRISIS_DAYS)[1]
    off = run_small("crypto_trust_crisis", days=CRISIS_DAYS, **{"retail_crypto.liquidations": False})[1]
    assert off["liquidations_bn"].sum() == 0.0
    dd_on = drawdown_stats(on["BTC"].to_numpy())["max_drawdown"]
    dd_off = drawdown_stats(off["BTC"].to_numpy())["max_drawdown"]
    assert dd_off < dd_on - 0.01


def test_every_liquidation_round_is_in_the_flow_table_and_the_summary_reports_dollars_and_accounts():
    res = run("crypto_trust_crisis", days=CRISIS_DAYS, overrides=SMALL, amplification=False)
    liq = res.summary["metrics"]["crypto_liquidations"]
    ts, flows = res.timeseries, res.flows
    assert liq["liquidated_bn"] > 1.0 and liq["accounts"] > 10_000
    assert liq["peak_day"] >= 20                                  # the shock day or the cascade after
    np.testing.assert_allclose(liq["liquidated_bn"], ts["liquidations_bn"].sum())
    forced = flows[(flows["agent_class"] == "retail_crypto") & (flows["reason"] == "liquidation")]
    assert forced["forced"].all() and (forced["round"] >= 1).all()
    peak = liq["peak_day"]                                # the crash day: mostly longs (10 Oct 2025: 84-90%)
    assert ts.loc[peak, "long_liquidations_bn"] >= 0.75 * ts.loc[peak, "liquidations_bn"]
    assert 0.0 < liq["long_share"] < 1.0                  # over the run both sides were liquidated
    # every day with liquidations has its rounds in the table, and the spot flow they carry is the
    # counterparty's hedge share of the liquidated notional: sales for longs (exactly), purchases for
    # shorts (bought at the round's opening price, so within the round's move of the share)
    liq_days = sorted(ts.index[ts["liquidations_bn"] > 0])
    assert set(liq_days) == set(forced["day"])
    hedge = res.params["retail_crypto.perp_spot_passthrough"]
    long_only = ts.index[(ts["liquidations_bn"] > 0) & (ts["long_liquidations_bn"] == ts["liquidations_bn"])]
    assert len(long_only) > 0
    per_day = forced.groupby("day")["usd_bn"].sum()
    np.testing.assert_allclose(-per_day.loc[long_only].to_numpy(),
                               hedge * ts.loc[long_only, "liquidations_bn"].to_numpy(), rtol=1e-9)
    short_liq = ts["liquidations_bn"] - ts["long_liquidations_bn"]
    net = hedge * (short_liq - ts["long_liquidations_bn"]).loc[liq_days]
    np.testing.assert_allclose(per_day.loc[liq_days].to_numpy(), net.to_numpy(),
                               atol=0.1 * hedge * float(short_liq.max()) + 1e-9)


def test_liquidated_holders_lose_at_most_their_margin():
    model = run_small("crypto_trust_crisis", days=CRISIS_DAYS)[0]
    pop = model.population("retail_crypto")
    assert (pop.holder_cash >= 0.0).all() and (pop.btc[: pop.n_lev] * pop.side >= 0.0).all()
    flat = pop.btc[: pop.n_lev] == 0.0
    assert (pop.debt[: pop.n_lev][flat] == 0.0).all() and (pop.liq_price[: pop.n_lev][flat] == 0.0).all()
