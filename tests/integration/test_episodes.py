"""Episodes land in the right range when replayed (MODEL.md §6.5): February 2018, 27 January 2025
(DeepSeek) and 10 October 2025 (crypto liquidations), replayed through the validation's
`episodes` module with the seeds of the full report (10 seeds; each replay is 40 days), and judged
against the landing ranges the report uses: the model's median over seeds inside the range.

Two figures miss, and docs/validation.md (issue #12, "Not done / known misses") says so: the
February 2018 VIX one-day jump (+8 against +20 points: the model's 5 February fall is ≈ −2% on the
median seed, not −4.1%) and Broadcom on the DeepSeek day. Those are strict expected failures — the
day the model lands them, the mark must go — and beside each, a test of what the model does do. The
5 February return lands by a hair (median −2.2% against a range that ends at −2%: bimodal over seeds,
−8 … −10% where the funds deleverage, ≈ −1% elsewhere); it was a strict xfail until
news.market_mean_slope went 0.12 → 0.04."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interlock.experiments.validation import episodes as E

SEEDS = tuple(range(1, 11))        # reports.validation.FULL.episode_seeds

DOCUMENTED_MISSES = {
    ("deepseek_jan2025", "AVGO"): "docs/validation.md: Broadcom falls ≈ −8% against −17.4% (its AI revenue in "
                                  "the deals data is a few custom-chip contracts that move less with capex guidance)",
}

ROWS = [("feb2018", "S&P peak-to-trough"), ("feb2018", "S&P return on 5 Feb"), ("feb2018", "VIX close on 5 Feb"),
        ("feb2018", "VIX one-day rise"),
        ("deepseek_jan2025", "NVDA"), ("deepseek_jan2025", "AVGO"), ("deepseek_jan2025", "hyperscalers"),
        ("deepseek_jan2025", "Nasdaq"), ("deepseek_jan2025", "S&P 500"),
        ("oct2025", "liquidations"), ("oct2025", "BTC, day of the shock"), ("oct2025", "accounts liquidated")]


@pytest.fixture(scope="module")
def replays() -> dict[str, E.EpisodeResult]:
    return {ep.name: E.replay(ep, SEEDS) for ep in E.EPISODES}


def _row(replays, episode: str, quantity: str) -> E.EpisodeRow:
    res = replays[episode]
    (row,) = [r for r in res.rows if r.quantity.startswith(quantity)]
    return row


@pytest.mark.parametrize("episode,quantity", [
    pytest.param(e, q, marks=pytest.mark.xfail(strict=True, reason=DOCUMENTED_MISSES[(e, q)]))
    if (e, q) in DOCUMENTED_MISSES else (e, q) for e, q in ROWS])
def test_the_replay_lands_in_the_reports_range(replays, episode, quantity):
    row = _row(replays, episode, quantity)
    print(f"{episode} {row.quantity}: history {row.history:.4g}, model median {row.median:.4g} "
          f"({min(row.model):.4g} … {max(row.model):.4g}), range {row.lo:.4g} … {row.hi:.4g}")
    assert len(row.model) == len(SEEDS) and all(math.isfinite(x) for x in row.model)
    assert row.lo <= row.median <= row.hi


def test_each_episode_lists_exactly_the_quantities_judged_here(replays):
    """A quantity or an episode added to the report gets its own case above."""
    assert set(replays) == {e for e, _ in ROWS}
    for episode, res in replays.items():
        prefixes = [q for e, q in ROWS if e == episode]
        assert len(res.rows) == len(prefixes)
        assert all(sum(r.quantity.startswith(p) for r in res.rows) == 1 for p in prefixes)


def test_feb_2018_history_is_the_sp500_and_vix_shipped_with_arch(replays):
    row = _row(replays, "feb2018", "S&P peak-to-trough")
    assert row.history == pytest.approx(1 - 2581.00 / 2872.87, abs=1e-4)     # 26 Jan → 8 Feb 2018 closes
    assert _row(replays, "feb2018", "VIX close on 5 Feb").history == pytest.approx(37.32, abs=0.01)


def test_what_the_model_does_in_feb_2018_the_systematic_classes_carry_the_sell_off(replays):
    """The two inputs (the 2 Feb news, the 5 Feb option buying) alone fall a few percent; the
    vol-target funds, CTAs and dealers — switched off under the same random numbers — make the rest.
    The outcome depends on the path before the news: seeds whose first week is volatile cross the
    funds' deleveraging threshold and fall ≈ 20% (the real fall was 10.2%), the others ≈ 3–5%."""
    dd = _row(replays, "feb2018", "S&P peak-to-trough")
    assert all(x > 0.01 for x in dd.model)                     # the S&P falls on every seed
    a = E.feb2018_attribution(SEEDS)
    print("9-day fall, systematic on:", np.round(a.on, 3), "off:", np.round(a.off, 3),
          "systematic selling $bn:", np.round(a.systematic_selling_bn, 0))
    assert np.median(a.off) < 0.5 * dd.history                 # the inputs alone: a fraction of −10%
    assert np.median(a.differences) > 0.03                     # the classes add several points
    assert all(d > -0.01 for d in a.differences)               # and never cushion the fall


def test_what_the_volatility_etps_do_on_5_feb_2018_they_add_to_the_vix_rise_and_end_only_where_futures_pass_80pct():
    """With the products of 2 Feb 2018 on and off (same seeds): they lift the 5 Feb VOL_1M rise on
    every seed, but at calm-day VIX-futures liquidity (square-root law, $250M of vega a day) their
    buying moves the futures index by a few percent (≈ +45% → +49%, medians), not from ≈ +24% to +96%
    as on the day (Invest In Vol; Harwood). An inverse product ends (XIV's acceleration event) only on
    a seed whose futures rose 80% or more — 1 of 10 since implied vol answers the day's traded fall
    (2026-12-04); none before."""
    e = E.feb2018_etp_effect(SEEDS)
    print(e.table())
    assert all(a > b for a, b in zip(e.vix_rise_5feb[True], e.vix_rise_5feb[False]))
    assert all(a > b > 0 for a, b in zip(e.futures_after, e.futures_before))
    assert all(0.01 < v < 0.654 for v in e.vega_bn)           # $10M … the open interest, per point
    assert np.median(e.futures_after) < 0.5 < 0.961            # history: +96.1% on 5 Feb
    assert list(e.inverse_ended) == [f > 0.8 - 1e-9 for f in e.futures_after]     # ended ⇔ futures up ≥ 80%
    assert sum(e.inverse_ended) < len(SEEDS) / 2


def test_what_the_model_does_on_10_october_2025_btc_falls_and_leveraged_longs_are_liquidated(replays):
    liq = _row(replays, "oct2025", "liquidations")
    btc = _row(replays, "oct2025", "BTC, day of the shock")
    assert all(x > 0.5 for x in liq.model) and liq.median > 2.0      # billions liquidated on every seed
    assert btc.lo <= btc.median <= btc.hi


def test_what_the_model_does_on_the_deepseek_day_broadcom_falls_far_less_than_nvidia(replays):
    avgo = _row(replays, "deepseek_jan2025", "AVGO")
    nvda = _row(replays, "deepseek_jan2025", "NVDA")
    assert all(x < 0 for x in avgo.model)                      # Broadcom falls on every seed …
    assert 0.5 * nvda.median < avgo.median < 0.0               # … by less than half NVIDIA's fall
    assert np.all(np.array(avgo.model) > np.array(nvda.model))
