"""The stress report's "shock off" row (the narrative's scenario without its shocks) and its
wording: the interval rule in the verdict's sentence, "inconclusive: about N runs would settle
it", and a parameter ranking that says when it is not significant (issue #15)."""

from __future__ import annotations

import textwrap

import pandas as pd

from interlock.experiments.stress.discovery import estimate, wilson
from interlock.experiments.stress.engine import SHOCK_OFF, runs_to_settle, verdict_reason
from interlock.reports.stress import _ranking_md, stress


def _narrative(tmp_path):
    p = tmp_path / "shocked.toml"
    p.write_text(textwrap.dedent('''
        name = "shocked"
        title = "A vol spike lifts VOL_1M"
        scenario = "vol_shock"
        [narrative]
        what = "The vol spike, and nothing else, lifts one-month vol past 27 vol points."
        [source]
        note = "001"
        passage_id = "001.vol_target"
        passage = "市場の変動が大きくなるとリスクを削減→売却、ボラティリティが低下するとリスクを増加→購入する。"
        translation = "When market swings grow they cut risk and sell; when volatility falls they add risk and buy."
        [run]
        days = 24
        samples = 4
        seeds = 2
        [overrides]
        "interlock.enabled" = false
        "retail_crypto.enabled" = false
        "crypto_etf.enabled" = false
        [uncertain]
        "vol_target.aum" = {}
        [[claims]]
        name = "vol_spikes"
        says = "One-month vol passes 27 vol points."
        claim = "peak(VOL_1M) > 0.27"
        [report]
        series = ["SPX", "VOL_1M"]
        switch_off = ["dealer"]
        '''), encoding="utf-8")
    return p


def test_the_shock_off_row_makes_the_shock_the_driver_of_a_claim_only_the_shock_makes_true(tmp_path):
    res = stress(_narrative(tmp_path), tmp_path / "out", workers=1, progress=False)
    cr = res.claims[0]
    assert cr.estimate.p == 1.0
    shock = cr.drivers[SHOCK_OFF]
    assert shock.off.p == 0.0 and shock.lost == 8 and shock.p_value < 0.01
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert (runs["off"] == SHOCK_OFF).sum() == 8 and runs["run_id"].is_unique
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| shocks (the scenario without its shocks) | 0% [0%, 32%] | -100% | 8 / 0 |" in report
    assert "Without **the scenario's shocks** it falls to 0%" in report
    assert "the shocks make the claim true" in report


def test_the_verdict_sentence_explains_the_interval_rule():
    e = wilson(11, 12)                                    # 92% [65%, 99%]: reads like a contradiction
    assert verdict_reason(e).startswith("the 95% interval reaches down to 65%, below the 66% that *likely* needs")
    assert "above 90%" in verdict_reason(wilson(100, 100))
    assert "reaches up to" in verdict_reason(estimate([True] * 4 + [False] * 8))


def test_an_inconclusive_driver_says_about_how_many_runs_would_settle_it():
    # 3 lost vs 0 gained in 12 pairs: p = 0.25; at that rate 6 discordant pairs of one sign (p = 0.031)
    # need 24 pairs
    assert runs_to_settle(3, 0, 12) == 24
    assert runs_to_settle(0, 0, 12) is None and runs_to_settle(2, 2, 12) is None
    assert runs_to_settle(5, 3, 40) > runs_to_settle(5, 1, 40)            # a weaker imbalance needs more


def test_a_ranking_with_no_significant_parameter_says_so():
    r = pd.DataFrame({"parameter": ["vol_target.aum", "cta.aum"], "ks": [0.91, 0.91], "p_value": [0.33, 0.40],
                      "direction": ["higher", "lower"]})
    text = "\n".join(_ranking_md(r, "the claim holds"))
    assert "*Not significant:* no parameter separates the runs" in text and "smallest p = 0.330" in text
    assert "(not significant)" in text and "(significant)" not in text


def _shock_claim(on, off):
    from interlock.experiments.stress.discovery import paired_change
    from interlock.experiments.stress.engine import ClaimResult
    return ClaimResult("c", "s", "t", estimate(on), 0, [], {SHOCK_OFF: paired_change(on, off)}, None, pd.DataFrame())


def test_an_inconclusive_shocks_off_row_is_not_read_as_about_as_often():
    """67% with the shocks vs 17% without in 6 pairs (McNemar p = 0.25): the sentence says the test
    cannot tell, as the table beside it does, not that the scenario gives the claim "about as often"."""
    from interlock.reports.stress import _drivers_text
    text = _drivers_text(_shock_claim([True] * 4 + [False] * 2, [True] + [False] * 5))
    assert "about as often" not in text
    assert "17% of runs without its shocks against 67% with them" in text
    assert "sample is too small to tell" in text and "about 12 runs would settle it" in text


def test_a_shocks_off_row_with_the_same_outcomes_is_about_as_often():
    from interlock.reports.stress import _drivers_text
    same = [True] * 40 + [False] * 40
    text = _drivers_text(_shock_claim(same, same))
    assert "gives the claim about as often (50% of runs without its shocks against 50% with them" in text
    assert "too small to tell" not in text
    swapped = _drivers_text(_shock_claim([True, False] * 40, [False, True] * 40))   # changes cancel
    assert "about as often" in swapped and "too small to tell" not in swapped
