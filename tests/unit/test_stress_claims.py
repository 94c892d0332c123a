"""The claim language: valid claims parse and evaluate to what they say; injection attempts and
unknown names are refused with messages that name the claim and list what exists."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from interlock.errors import InputError
from interlock.experiments.stress.claims import ClaimError, RunView, Schema, compile_claim, parse

ISSUE_EXAMPLES = [
    "max_drawdown(NVDA, days=0..120) > 0.25",
    "peak(VOL_1M) > 2 * start(VOL_1M)",
    "sum(flows, class=vol_target, asset=SPX, days=0..20) < -50",
    "liquidated_usd > 10",
    "liquidated_usd > 10 and (max_drawdown(NVDA) > 0.25 or peak(VOL_1M) > 2 * start(VOL_1M))",
]


def toy_run(days: int = 120):
    """A hand-made run whose values are known: NVDA halves then recovers, VOL_1M triples."""
    d = np.arange(days + 1)
    nvda = np.where(d <= 60, 5000.0 * (1 - 0.5 * d / 60), 2500.0 + 2500.0 * (d - 60) / 60)
    vol = np.where((d >= 10) & (d <= 20), 0.45, 0.15)
    ts = pd.DataFrame({"day": d, "NVDA": nvda, "SPX": 6000.0 + d, "VOL_1M": vol,
                       "VOL_3M": np.full(d.size, 0.2), "vol_target_exposure": 1.0 - vol})
    flows = pd.DataFrame({"day": [1, 5, 15, 15, 30], "round": [0, 0, 0, 1, 0],
                          "agent_class": ["vol_target", "vol_target", "vol_target", "vol_target", "cta"],
                          "agent_id": [0, 0, 1, 1, 0], "asset": ["SPX", "SPX", "SPX", "SPX", "BTC"],
                          "usd_bn": [-20.0, -25.0, -10.0, -5.0, 3.0],
                          "forced": [False, False, False, True, False],
                          "reason": ["voluntary"] * 3 + ["risk_exit", "voluntary"]})
    events = pd.DataFrame({"day": [10, 12], "kind": ["shock", "trigger"], "source": ["scenario", "dealer"],
                           "target": ["vol_spike", "market"], "channel": ["shock", "gamma_hedge"],
                           "usd_bn": [math.nan, -1.5], "detail": ["", ""]})
    metrics = {"liquidated_usd": 12.5, "peak_VOL_1M": 0.45, "assets": {"NVDA": {"max_drawdown": 0.5}}}
    schema = Schema(columns=["NVDA", "SPX", "VOL_1M", "VOL_3M", "vol_target_exposure"], assets=["NVDA", "SPX"],
                    classes=["vol_target", "cta", "dealer"], flow_assets=["NVDA", "SPX", "BTC"],
                    metrics=["liquidated_usd", "peak_VOL_1M", "assets.NVDA.max_drawdown"], days=days)
    return RunView(ts, flows, events, metrics), schema


@pytest.mark.parametrize("text", ISSUE_EXAMPLES)
def test_the_issue_examples_parse_and_hold_on_a_run_built_to_satisfy_them(text):
    run, schema = toy_run()
    assert compile_claim(text, schema).evaluate(run) is True


@pytest.mark.parametrize("text,expected", [
    ("return(NVDA, days=0..60) < -49%", True),
    ("return(NVDA, days=60..) > 0.99", True),
    ("max_rally(NVDA, days=60..120) > 0.99", True),
    ("day_of_trough(NVDA) == 60", True),
    ("fraction_of_days(VOL_1M > VOL_3M) > 0.08 and fraction_of_days(VOL_1M > VOL_3M) < 0.1", True),
    ("sum(flows, class=vol_target, forced=true) == -5", True),
    ("sum(flows, class=vol_target|cta) == -57", True),
    ("count(events, kind=trigger, channel=gamma_hedge) == 1", True),
    ("sum(flows, class=vol_target, days=-120..10) == -45", True),
    ("sum(flow(class=vol_target, asset=SPX), days=10..20) == -15", True),
    ("corr(vol_target_exposure, VOL_1M) < -0.99", True),
    ("assets.NVDA.max_drawdown >= 0.5", True),
    ("not (peak_VOL_1M > 0.3)", False),
    ("mean_where(VOL_1M, VOL_1M > VOL_3M) == 0.45", True),
    ("abs(return(NVDA, days=0..60)) > 0.49", True),
    ("peak(abs(diff(VOL_1M))) > 0.29 and peak(abs(diff(VOL_1M))) < 0.31", True),
    ("mean_where(returns(SPX), day_is_late > 0.5) > 0", None),
    ("fraction_of_days(VOL_1M > VOL_3M or SPX > 6050) > 0.5", True),
    ("fraction_of_days(not (VOL_1M > VOL_3M)) > 0.9", True),
    ("end(VOL_1M, days=..5) == 0.15 or mystery_free_branch_is_fine_when_true()", None),
])
def test_claims_evaluate_to_what_they_say(text, expected):
    run, schema = toy_run()
    if expected is None:          # refused: an unknown name or function
        with pytest.raises(ClaimError, match="unknown"):
            compile_claim(text, schema)
        return
    assert compile_claim(text, schema).evaluate(run) is expected


def test_an_undefined_quantity_makes_a_comparison_undefined_and_logic_is_three_valued():
    run, schema = toy_run()
    flat = "corr(SPX, VOL_3M) > 0"            # VOL_3M is constant: correlation undefined
    assert compile_claim(flat, schema).evaluate(run) is None
    assert compile_claim(f"{flat} or peak(VOL_1M) > 0.4", schema).evaluate(run) is True
    assert compile_claim(f"{flat} and peak(VOL_1M) > 0.4", schema).evaluate(run) is None
    assert compile_claim(f"{flat} and peak(VOL_1M) > 0.9", schema).evaluate(run) is False


def test_a_daily_condition_on_a_series_the_run_does_not_record_is_undefined_not_false():
    run, schema = toy_run()
    schema.columns.append("cta_nav")               # known to the schema, absent from this run
    c = compile_claim("fraction_of_days(cta_nav > 0) > 0.5", schema)
    assert c.evaluate(run) is None
    assert compile_claim("fraction_of_days(cta_nav > 0 or VOL_1M > 0) > 0.5", schema).evaluate(run) is True


def test_terms_report_both_sides_of_every_comparison():
    run, schema = toy_run()
    c = compile_claim("peak(VOL_1M) > 2 * start(VOL_1M) and liquidated_usd > 10", schema)
    assert [t.text for t in c.comparisons] == ["peak(VOL_1M) > 2 * start(VOL_1M)", "liquidated_usd > 10"]
    (a, b), (x, y) = c.terms(run)
    assert (a, b, x, y) == pytest.approx((0.45, 0.30, 12.5, 10.0))


def test_series_aliases_from_a_narrative_can_be_used_in_claims():
    run, schema = toy_run()
    schema.add_alias("complex", "NVDA + SPX")
    assert compile_claim("start(complex) == 11000", schema).evaluate(run) is True


@pytest.mark.parametrize("attack", [
    "__import__('os').system('rm -rf /')",
    "open('/etc/passwd').read() > 0",
    "peak(VOL_1M) > 0; import os",
    "NVDA.__class__.__bases__ > 0",
    "eval(1) > 0",
    "exec(compile(1)) > 0",
    "getattr(NVDA, x) > 0",
    "lambda x: x > 0",
    "[x for x in NVDA] > 0",
    "peak(VOL_1M) > 0 # comment",
    "`ls` > 0",
    "peak(VOL_1M) > 0 \\",
    "peak(VOL_1M) > 0 and " + "(" * 200 + "1" + ")" * 200 + " > 0",
    "x" * 5000 + " > 0",
])
def test_injection_attempts_are_refused_without_evaluating_anything(attack):
    _, schema = toy_run()
    with pytest.raises(ClaimError) as e:
        compile_claim(attack, schema)
    assert "claim" in str(e.value)


@pytest.mark.parametrize("text,message,lists", [
    ("max_drawdown(NVDX) > 0.2", "unknown name 'NVDX'; did you mean NVDA", "assets: NVDA, SPX"),
    ("sum(flows, class=vol_targt) < 0", "unknown agent class 'vol_targt'; did you mean vol_target",
     "vol_target, cta, dealer"),
    ("sum(flows, asset=TSLA) < 0", "unknown asset 'TSLA'", "NVDA, SPX, BTC"),
    ("liquidated_bn > 10", "unknown name 'liquidated_bn'", "metrics: liquidated_usd"),
    ("drawdown(NVDA) > 0.2", "unknown function 'drawdown'", "max_drawdown"),
    ("sum(flows, klass=cta) < 0", "no option 'klass'", "class, asset, forced, round, days"),
])
def test_unknown_names_are_refused_naming_the_claim_and_listing_what_exists(text, message, lists):
    _, schema = toy_run()
    with pytest.raises(InputError) as e:
        compile_claim(text, schema)
    msg = str(e.value)
    assert msg.startswith(f"claim {text!r}") and message in msg and lists in msg


@pytest.mark.parametrize("text,message", [
    ("peak(VOL_1M)", "must be a true/false statement"),
    ("VOL_1M > 0.3", "reduce them first"),
    ("1 < peak(VOL_1M) < 2", "chained comparisons"),
    ("peak(VOL_1M) > 0.3 and 5", "joins conditions"),
    ("peak(VOL_1M, days=50..10) > 0", "is empty"),
    ("peak(VOL_1M, days=0..500) > 0", "beyond the 120-day run"),
    ("flows > 0", "can only be summed or counted"),
    ("peak(VOL_1M) >", "ends too early"),
    ("", "empty"),
])
def test_ill_formed_claims_are_refused_with_a_reason(text, message):
    _, schema = toy_run()
    with pytest.raises(ClaimError, match=message):
        compile_claim(text, schema)


def test_the_parser_never_calls_python_eval(monkeypatch):
    import builtins
    def forbidden(*a, **k):
        raise AssertionError("eval/exec called")
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    run, schema = toy_run()
    for text in ISSUE_EXAMPLES:
        assert compile_claim(text, schema).evaluate(run) is True
    assert parse("1 + 2 * 3 > 6").op == ">"
