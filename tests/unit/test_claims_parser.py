"""The claim language: valid claims parse and evaluate to what they say; injection attempts and
unknown names are refused with messages that name the claim and list what exists."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
                    metrics=["liquidated_usd", "peak_VOL_1M", "NVDA.max_drawdown"], days=days)
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
    ("NVDA.max_drawdown >= 0.5", True),
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


# ----- precedence, literals, positions, three-valued logic ---------------------------------------
def _arith():
    """Arithmetic trees of small whole numbers: (op, left, right) with + − *, and ('neg', x)."""
    leaf = st.integers(0, 9)
    return st.recursive(leaf, lambda sub: st.one_of(
        st.tuples(st.sampled_from("+-*"), sub, sub), st.tuples(st.just("neg"), sub)), max_leaves=12)


_PREC = {"+": 1, "-": 1, "*": 2}


def _render(node, parent: int = 0, right: bool = False) -> str:
    """Claim text with only the parentheses the grammar's precedence and left-associativity need."""
    if isinstance(node, int):
        return str(node)
    if node[0] == "neg":
        return "-" + _render(node[1], 3)
    op, a, b = node
    p = _PREC[op]
    s = f"{_render(a, p)} {op} {_render(b, p, right=True)}"
    return f"({s})" if p < parent or (right and p == parent) else s


def _value(node) -> int:
    if isinstance(node, int):
        return node
    if node[0] == "neg":
        return -_value(node[1])
    op, a, b = node
    x, y = _value(a), _value(b)
    return x + y if op == "+" else x - y if op == "-" else x * y


@settings(max_examples=100, deadline=None)
@given(tree=_arith())
def test_arithmetic_follows_the_usual_precedence_and_left_associativity(tree):
    run, schema = toy_run()
    text, value = _render(tree), _value(tree)
    assert compile_claim(f"{text} == {value}", schema).evaluate(run) is True
    assert compile_claim(f"{text} != {value}", schema).evaluate(run) is False
    assert compile_claim(f"{text} < {value} + 1 and {text} > {value} - 1", schema).evaluate(run) is True


@pytest.mark.parametrize("text", ["25% == 0.25", "1e-3 > 0.0009 and 1e-3 < 0.0011", "1.5e2 == 150",
                                  "2 - 3 - 4 == -5", "8 / 4 / 2 == 1", "- 2 * - 3 == 6",
                                  "end(SPX, days=-20..) == 6120", "start(SPX, days=-20..) == 6100",
                                  "sum(flows, class=vol_target, days=..4) == -20"])
def test_number_literals_and_day_windows_mean_what_they_say(text):
    run, schema = toy_run()
    assert compile_claim(text, schema).evaluate(run) is True


def test_dividing_by_zero_is_undefined_not_an_error():
    run, schema = toy_run()
    assert compile_claim("start(SPX) / 0 > 1", schema).evaluate(run) is None
    assert compile_claim("start(SPX) / 0 > 1 or liquidated_usd > 10", schema).evaluate(run) is True


_TRUTH = {True: "1 > 0", False: "1 < 0", None: "corr(SPX, VOL_3M) > 0"}    # the last is undefined


def _kleene_and(a, b):
    return False if False in (a, b) else None if None in (a, b) else True


def _kleene_or(a, b):
    return True if True in (a, b) else None if None in (a, b) else False


@pytest.mark.parametrize("a", [True, False, None])
@pytest.mark.parametrize("b", [True, False, None])
def test_and_or_not_follow_kleenes_three_valued_truth_tables(a, b):
    run, schema = toy_run()
    ev = lambda text: compile_claim(text, schema).evaluate(run)    # noqa: E731
    assert ev(f"({_TRUTH[a]}) and ({_TRUTH[b]})") is _kleene_and(a, b)
    assert ev(f"({_TRUTH[a]}) or ({_TRUTH[b]})") is _kleene_or(a, b)
    assert ev(f"not ({_TRUTH[a]})") is (None if a is None else not a)


def test_a_refusal_points_at_the_offending_position():
    _, schema = toy_run()
    text = "peak(VOL_1M) > 0; import os"
    with pytest.raises(ClaimError) as e:
        compile_claim(text, schema)
    assert "unexpected character ';'" in str(e.value)
    assert f"at position {text.index(';') + 1} ('(VOL_1M) > 0⟨here⟩; import os')" in str(e.value)
    text = "peak(VOL_1M) > max_drawdown(NVDX)"
    with pytest.raises(ClaimError) as e:
        compile_claim(text, schema)
    assert f"unknown name 'NVDX'; did you mean NVDA? at position {text.index('NVDX') + 1}" in str(e.value)


@pytest.mark.parametrize("text,op,left,right", [
    ("1 + 2 * 3 > 6", ">", "+", None),
    ("not a > 1 and b > 2 or c > 3", "or", "and", ">"),
    ("a > 1 or b > 2 and c > 3", "or", ">", "and"),
])
def test_the_syntax_tree_binds_tighter_operators_lower(text, op, left, right):
    from interlock.experiments.stress.claims import Binary
    tree = parse(text)
    assert isinstance(tree, Binary) and tree.op == op
    assert getattr(tree.left, "op", None) == left
    assert getattr(tree.right, "op", None) == right


_CLAIM_CHARS = "abcdefNVDASPXOL_1M019.,()<>=!+-*/%|' \"`;:[]{}#\\$@&^~\n\t"


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=_CLAIM_CHARS, max_size=60)
       | st.sampled_from(ISSUE_EXAMPLES).flatmap(lambda c: st.integers(0, len(c)).map(lambda i: c[:i])))
def test_any_text_either_compiles_to_a_claim_or_is_refused_with_a_claim_error(text):
    """Fuzzing: random text over the grammar's characters and the rest, and every prefix of the
    issue's examples. Either it is a claim that evaluates to True / False / undefined, or it is
    refused as a ClaimError — never another exception, and Python's eval/exec are never called."""
    import builtins
    run, schema = toy_run()

    def forbidden(*a, **k):
        raise AssertionError("eval/exec called")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builtins, "eval", forbidden)
        mp.setattr(builtins, "exec", forbidden)
        try:
            claim = compile_claim(text, schema)
        except ClaimError as e:
            assert str(e).startswith("claim ")
            return
        assert claim.evaluate(run) in (True, False, None)
