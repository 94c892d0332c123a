"""Narratives: shipped files quote their seed passage verbatim and load; a stress test gives a claim
that is true by construction probability ≈1 and a false one ≈0, finds the class a claim depends on,
and a shipped narrative runs end to end at small size and writes report.md."""

from __future__ import annotations

import pickle
import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from interlock.cli import cli
from interlock.errors import InputError
from interlock.experiments.stress.narratives import list_narratives, load_narrative
from interlock.experiments.stress.engine import ClaimMetrics, evaluate_run
from interlock.reports.stress import stress

ROOT = Path(__file__).resolve().parents[2]
SEED_PASSAGES = ROOT / "docs" / "seed_passages.md"


def seed_passages() -> dict[str, dict]:
    """docs/seed_passages.md: per passage id, its quoted lines and its English text."""
    out: dict[str, dict] = {}
    current = None
    for line in SEED_PASSAGES.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\*\*`([0-9]{3}\.[a-z0-9_]+)`\*\*", line)
        if m:
            current = out.setdefault(m.group(1), {"lines": [], "en": ""})
        elif current is not None and line.startswith("> "):
            current["lines"].append(line[2:])
        elif current is not None and line.startswith("EN:"):
            current["en"] += line           # a passage reused later says "EN: see …"
    return out


def _check_quote(q, passages, where):
    assert q.passage_id in passages, f"{where}: {q.passage_id} is not in docs/seed_passages.md"
    assert q.passage_id.startswith(q.note + "."), where
    quoted = passages[q.passage_id]["lines"]
    for line in q.passage.splitlines():
        assert any(line in full for full in quoted), f"{where}: not verbatim in {q.passage_id}: {line!r}"
    en = passages[q.passage_id]["en"].replace("\u201c", '"').replace("\u201d", '"')
    for part in q.translation.split(" / "):
        assert part.strip().rstrip(".") in en, f"{where}: translation not from {q.passage_id}: {part!r}"


def test_at_least_six_narratives_ship_and_each_quotes_its_seed_passages_verbatim():
    passages = seed_passages()
    files = list_narratives()
    assert len(files) >= 6
    for path in files:
        n = load_narrative(path, samples=2, seeds=1)
        for q in [n.source, *n.source.also]:
            _check_quote(q, passages, path.name)
        assert n.claims and n.spec.axes and n.series


def toy_narrative(tmp_path: Path, claims: str, extra: str = "") -> Path:
    p = tmp_path / "toy.toml"
    p.write_text(textwrap.dedent(f'''
        name = "toy"
        title = "A toy narrative"
        scenario = "baseline"
        [narrative]
        what = "Claims whose truth is known in advance."
        [source]
        note = "001"
        passage_id = "001.flows_set_prices"
        passage = "流動性、ポジション構成、政策のトーンが、ファンダメンタルズに代わって価格発見プロセスを支配している。"
        translation = "Liquidity, positioning and policy tone have replaced fundamentals in governing price discovery."
        [run]
        days = 10
        samples = 6
        seeds = 2
        [overrides]            # the blocks these claims do not read: faster runs
        "interlock.enabled" = false
        "retail_crypto.enabled" = false
        "crypto_etf.enabled" = false
        [uncertain]
        "vol_target.aum" = {{}}
        "market.equity_multiplier" = {{}}
        {extra}
        ''') + textwrap.dedent(claims), encoding="utf-8")
    return p


TOY_CLAIMS = '''
[[claims]]
name = "always"
says = "Prices stay positive and the index starts at its configured level."
claim = "trough(SPX) > 0 and start(SPX) == 6602.99"

[[claims]]
name = "never"
says = "The index goes negative."
claim = "trough(SPX) < 0"

[[claims]]
name = "needs_cta"
says = "CTAs trade."
claim = "sum(flows, class=cta, asset=SPX) != 0"

[report]
series = ["SPX", "VOL_1M"]
switch_off = ["cta", "dealer"]
'''


def test_a_claim_true_by_construction_gets_probability_one_and_a_false_one_zero(tmp_path):
    res = stress(toy_narrative(tmp_path, TOY_CLAIMS), tmp_path / "out", workers=1, progress=False)
    by = {c.name: c for c in res.claims}
    assert by["always"].estimate.p == 1.0 and by["always"].estimate.n == 12
    assert by["always"].estimate.lo > 0.75                  # Wilson lower bound for 12 of 12: 0.757
    assert by["never"].estimate.p == 0.0 and by["never"].estimate.hi < 0.25
    # the loop a claim depends on: with CTAs off it never holds, with dealers off nothing changes
    cta, dealer = by["needs_cta"].drivers["cta"], by["needs_cta"].drivers["dealer"]
    assert by["needs_cta"].estimate.p == 1.0 and cta.off.p == 0.0 and cta.p_value < 0.001
    assert dealer.off.p == 1.0 and dealer.p_value == 1.0
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert len(runs) == 12 * 3 and set(runs["off"]) == {"", "cta", "dealer"}
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    # 12 of 12: the interval reaches down to 76%, so "likely", not "virtually certain"
    assert ("| `always` | Prices stay positive and the index starts at its configured level. | 100% [76%, 100%] | likely "
            "| the whole 95% interval lies above 66%, the bar for *likely* |") in report
    assert ("| `never` | The index goes negative. | 0% [0%, 24%] | unlikely "
            "| the whole 95% interval lies below 33%, the bar for *unlikely* |") in report
    # baseline has no shocks: no shock-off row
    assert "shocks" not in set(runs["off"]) and all("shocks" not in c.drivers for c in res.claims)


@pytest.mark.parametrize("k,n,term", [(1000, 1000, "virtually certain"), (100, 100, "very likely"), (32, 32, "likely"),
                                      (12, 12, "likely"), (34, 40, "likely"), (30, 40, "about as likely as not"),
                                      (27, 40, "about as likely as not"), (5, 40, "unlikely"),
                                      (0, 40, "very unlikely"), (0, 1000, "exceptionally unlikely"),
                                      (0, 0, "undetermined")])
def test_a_verdict_is_the_strongest_calibrated_term_the_whole_interval_supports(k, n, term):
    from interlock.experiments.stress.discovery import wilson
    from interlock.experiments.stress.engine import verdict
    assert verdict(wilson(k, n)) == term


def test_the_per_run_metrics_function_travels_by_value_and_gives_the_same_answers(tmp_path):
    from interlock.experiments.runner import run
    narr = load_narrative(toy_narrative(tmp_path, TOY_CLAIMS))
    metrics = ClaimMetrics(narr)
    copy = pickle.loads(pickle.dumps(metrics))
    result = run("baseline", days=10, seed=3, amplification=False)
    assert copy(result) == metrics(result) == evaluate_run(narr, result)
    assert copy(result)["claim.always"] == 1.0 and copy(result)["claim.never"] == 0.0
    assert copy.__qualname__ == metrics.__qualname__


@pytest.mark.parametrize("extra,claims,message", [
    ('"cta.aumm" = {}', TOY_CLAIMS, "uncertain.cta.aumm"),
    ('"cta.aum" = { range = [100, 50] }', TOY_CLAIMS, "empty range"),
    ("", TOY_CLAIMS.replace("trough(SPX) < 0", "trough(SPY) < 0"), "claim 'trough(SPY) < 0': unknown name 'SPY'"),
    ("", TOY_CLAIMS.replace("class=cta,", "class=ctaa,"), "unknown agent class 'ctaa'"),
    ("", TOY_CLAIMS.replace('switch_off = ["cta", "dealer"]', 'switch_off = ["hedge_funds"]'),
     "report.switch_off"),
    ("", TOY_CLAIMS.replace('series = ["SPX", "VOL_1M"]', 'series = ["SPX", "VIX"]'), "unknown series ['VIX']"),
    ("", TOY_CLAIMS.replace('name = "never"', 'name = "always"'), "claim names must be unique"),
    ("", "", "claims"),
])
def test_a_bad_narrative_is_refused_naming_the_file_and_the_key(tmp_path, extra, claims, message):
    path = toy_narrative(tmp_path, claims, extra)
    with pytest.raises(InputError) as e:
        load_narrative(path)
    assert message in str(e.value) and "toy.toml" in str(e.value)


def test_a_shipped_narrative_runs_end_to_end_at_small_size_and_writes_report_md(tmp_path):
    out = tmp_path / "stress"
    args = ["stress", "vix_inversion_is_hedging", "--out", str(out), "--samples", "2", "--seeds", "1"]
    r = CliRunner().invoke(cli, args + ["--workers", "1", "--quiet"])
    assert r.exit_code == 0, r.output
    report = (out / "report.md").read_text(encoding="utf-8")
    for section in ("## The narrative", "## Verdict", "## Drivers", "## Claims in detail", "## How this was computed"):
        assert section in report
    assert "つまり、VIXの急騰≠パニックであり" in report          # the seed passage, quoted
    figures = ["drivers.png"] + [f"fan_{c}.png" for c in ("calm_curve_upward", "shock_inverts_curve",
                                                            "inversion_is_hedging", "spike_without_crash")]
    for fig in figures:
        assert (out / fig).stat().st_size > 10_000 and f"]({fig})" in report
    runs = pd.read_parquet(out / "runs.parquet")
    # all on, each of 5 classes off, and the scenario without its shocks
    assert len(runs) == 2 * (1 + 5 + 1) and (runs["status"] == "ok").all()
    assert (runs["off"] == "shocks").sum() == 2 and "shocks (the scenario without its shocks)" in report
    # --resume re-reports from the finished runs without running them again
    again = CliRunner().invoke(cli, args + ["--workers", "1", "--resume"])
    assert again.exit_code == 0, again.output
    assert "inversion_is_hedging" in again.output and "report:" in again.output


def test_the_cli_refuses_bad_input_with_one_line_and_exit_code_2(tmp_path):
    r = CliRunner().invoke(cli, ["stress", "no_such_narrative", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "unknown narrative 'no_such_narrative'" in r.output
    r = CliRunner().invoke(cli, ["stress", "vol_target_amplifies", "--samples", "0", "--check"])
    assert r.exit_code == 2 and "--samples must be at least 1" in r.output
    r = CliRunner().invoke(cli, ["stress", "--list"])
    assert r.exit_code == 0 and "vol_target_amplifies" in r.output


def test_one_seed_per_sample_is_warned_about_because_every_sample_then_shares_one_news_path():
    """The points share their seeds (common random numbers): with --seeds 1 every sample runs the same
    news, and the claims' probabilities say nothing about the market's randomness."""
    r = CliRunner().invoke(cli, ["stress", "vol_target_amplifies", "--samples", "4", "--seeds", "1", "--check"])
    assert r.exit_code == 0 and "warning: one seed per sample" in r.output
    r = CliRunner().invoke(cli, ["stress", "vol_target_amplifies", "--samples", "4", "--seeds", "2", "--check"])
    assert r.exit_code == 0 and "warning: one seed per sample" not in r.output


def test_runs_past_the_instability_are_left_out_of_every_claim_and_located_by_their_own_box(tmp_path):
    """A run whose market capped flows on more than 5% of its days is not a market outcome: its
    claims count as undefined, and PRIM locates the instability (here: high vol-target AUM)."""
    import numpy as np
    from interlock.experiments.stress.engine import CAPPED_DAYS, PERSISTENT_CAPPING, analyse, claim_column
    path = toy_narrative(tmp_path, TOY_CLAIMS)
    path.write_text(path.read_text(encoding="utf-8").replace("days = 10", "days = 60"), encoding="utf-8")
    narr = load_narrative(path, samples=40, seeds=1)
    limit = int(PERSISTENT_CAPPING * narr.days)            # 3 of 60 days: more is past the instability
    assert limit == 3
    rng = np.random.default_rng(0)
    rows = []
    for off in ("", "cta", "dealer"):
        for p, pt in enumerate(narr.spec.points()):
            aum = pt["vol_target.aum"]
            blown = aum > 800 and off != "cta"             # unstable at high AUM unless CTAs are off
            rows.append({"run": len(rows), "point_id": p, "seed": 1, "off": off, "status": "ok", **pt,
                         # a stable run may still cap a flow on a crash day or two, up to the limit
                         CAPPED_DAYS: 9.0 if blown else float(rng.integers(0, limit + 1)),
                         claim_column("always"): 0.0 if blown else 1.0,   # garbage outcome when blown
                         claim_column("never"): 0.0, claim_column("needs_cta"): float(off != "cta")})
    runs = pd.DataFrame(rows)
    stable_capping = runs.loc[runs[CAPPED_DAYS] < 9.0, CAPPED_DAYS]
    assert (stable_capping > 0).any() and (stable_capping == limit).any()     # the limit itself is stable
    for c in narr.claims:
        for j, _ in enumerate(c.claim.comparisons):
            runs[f"term.{c.name}.{j}.left"] = runs[f"term.{c.name}.{j}.right"] = 0.0
    res = analyse(narr, runs, pd.DataFrame(columns=["run", "day", "SPX", "VOL_1M"]))
    n_blown = sum(pt["vol_target.aum"] > 800 for pt in narr.spec.points())
    always = res.claims[0]
    assert always.estimate.p == 1.0 and always.estimate.n == 40 - n_blown
    assert always.with_unstable.p == pytest.approx((40 - n_blown) / 40)
    inst = res.instability
    assert inst.estimate.k == n_blown and inst.by_class["cta"].k == 0 and inst.by_class["dealer"].k == n_blown
    box = inst.prim.boxes[0]
    assert box.restricted == ["vol_target.aum"] and box.lower["vol_target.aum"] > 750 and box.density == 1.0
    from interlock.reports.stress import render_report
    text = render_report(res)
    assert f"{n_blown} of 40 runs went past the leverage-cycle instability" in text
    assert "## Where the model goes unstable" in text


def test_a_refused_out_folder_is_one_line_with_no_plan_printed_before_it(tmp_path):
    from cli_contract import assert_contract, invoke, snapshot
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    before = snapshot(tmp_path)
    res = invoke("stress", "vol_target_amplifies", "--samples", "2", "--seeds", "1", "--out", "mine", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "mine", "--out")
    assert res.stdout == "", res.stdout


def test_a_plan_past_the_limits_is_one_line_with_no_plan_printed_before_it(tmp_path):
    """…and `--check` still prints the plan, then says it is past the limits."""
    from cli_contract import assert_contract, invoke, snapshot
    before = snapshot(tmp_path)
    args = ("stress", "vol_target_amplifies", "--samples", "2000", "--seeds", "5", "--days", "3000")
    res = invoke(*args, "--out", "big", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "--yes", "CPU hours")
    assert res.stdout == "", res.stdout
    res = invoke(*args, "--check", cwd=tmp_path)
    assert res.exit_code == 2 and "narrative vol_target_amplifies" in res.stdout and "CPU hours" in res.stderr
