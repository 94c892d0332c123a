"""`interlock compare`: paired runs under common random numbers (issue #15). Small on purpose: few
seeds, a handful of days."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import tomli_w

from cli_contract import assert_contract, invoke, snapshot
from interlock.experiments import compare as cmp
from interlock.experiments.scenarios import list_scenarios, shipped_dir
from interlock.experiments.stability import STABLE
from interlock.io import read_toml
from interlock.reports.compare import compare


def _no_shock_copy(tmp_path, name="vol_shock"):
    """A shipped scenario without its shocks, under another name (same parameters as baseline)."""
    raw = read_toml(shipped_dir() / f"{name}.toml", "scenario")
    raw.pop("shocks", None)
    raw["name"] = f"{name}_no_shocks"
    path = tmp_path / f"{name}_no_shocks.toml"
    path.write_text(tomli_w.dumps(raw))
    return path


def test_a_scenario_with_no_shocks_differs_from_baseline_by_exactly_zero(tmp_path):
    sc = _no_shock_copy(tmp_path)
    assert not read_toml(sc, "scenario").get("overrides")          # same parameters as baseline
    p = cmp.plan(sc, "baseline", seeds=[1, 2], days=8, attribution=False)
    res = compare(p, tmp_path / "out", workers=1, progress=False)
    assert len(res.diffs) == 2 * 9 * len(p.series) and res.failed_runs == 0
    assert (res.diffs["diff"] == 0.0).all()
    assert (res.effects[["mean", "q05", "q95"]].to_numpy() == 0.0).all()


def test_a_shock_leaves_every_pair_identical_until_its_day_and_moves_it_after(tmp_path):
    p = cmp.plan("vol_shock", "baseline", seeds=[1, 2], days=22, attribution=False)
    day = p.scenario.shocks[0].at
    res = compare(p, tmp_path / "out", workers=1, progress=False)
    d = res.diffs
    assert (d.loc[d["day"] < day, "diff"] == 0.0).all()
    vol = d[(d["series"] == "VOL_1M") & (d["day"] == day)]["diff"]
    assert len(vol) == 2 and (vol > 5).all()                          # vol points, not fractions
    spx = res.effects.query("asset == 'SPX' and measure == 'return'").iloc[0]
    assert spx["mean"] < 0 and spx["lo"] <= spx["mean"] <= spx["hi"]


def test_attribution_covers_every_asset_the_card_names_and_splits_the_effect(tmp_path):
    p = cmp.plan("deepseek_efficiency", "baseline", seeds=[1, 2], days=7)
    assert {"NVDA", "AVGO", "AMD", "CRWV", "NBIS", "MSFT", "GOOGL", "AMZN", "META"} <= set(p.touched)
    assert set(p.touched) <= set(p.series)
    res = compare(p, tmp_path / "out", workers=1, progress=False)
    a = res.attribution
    assert set(a["asset"]) == set(p.touched) | {"VOL_1M"} and set(a["class"]) == set(p.classes)
    # the firms' valuation channel carries NVDA's fall: switching it off removes most of the effect
    nv = a.query("asset == 'NVDA' and measure == 'return'").set_index("class")["mean"]
    effect = res.effects.query("asset == 'NVDA' and measure == 'return'").iloc[0]["mean"]
    assert effect < 0 and nv.idxmin() == "interlock" and nv["interlock"] < 0.5 * effect
    assert json.loads((tmp_path / "out" / "compare.json").read_text())["touched_assets"] == p.touched


def test_every_shipped_scenario_compares_with_baseline(tmp_path):
    for sc in list_scenarios():
        p = cmp.plan(sc, "baseline", seeds=[1], days=3, attribution=False)
        res = compare(p, tmp_path / sc.name, workers=1, progress=False)
        assert res.failed_runs == 0, sc.name
        for f in ("report.html", "effects.csv", "differences.png", "compare.json"):
            assert (tmp_path / sc.name / f).stat().st_size > 0, (sc.name, f)


def test_the_cli_writes_an_offline_report_and_keeps_the_output_folder_rules(tmp_path):
    args = ("compare", "crypto_trust_crisis", "--seeds", "1..2", "--days", "4", "--no-attribution",
            "--workers", "1", "--quiet")
    res = invoke(*args, cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    out = tmp_path / "runs" / "compare-crypto_trust_crisis-vs-baseline"
    html = (out / "report.html").read_text()
    assert not re.search(r"<script[^>]+src=", html) and "cdn" not in html.lower().split("<body>")[1]
    assert html.count("vegaEmbed(") >= 1 and "vega-lite" in html
    specs = json.loads(re.search(r"const SPECS=(\[.*?\]);SPECS", html, re.S).group(1))
    assert {"BTC", "SPX", "VOL_1M"} <= {s["title"]["text"].split(":")[0] for s in specs if "title" in s}
    eff = pd.read_csv(out / "effects.csv")
    assert {"asset", "measure", "unit", "mean", "lo", "hi", "q05", "q95", "n"} <= set(eff.columns)
    # a second run replaces the comparison; --set goes to its own folder
    assert invoke(*args, cwd=tmp_path).exit_code == 0
    res = invoke(*args, "--set", "cta.aum=400", cwd=tmp_path)
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "runs").glob("compare-crypto_trust_crisis-vs-baseline-*"))) == 1


@pytest.mark.parametrize("args,needle", [
    (("compare", "vol_shock", "--seeds", "5..1"), "--seeds"),
    (("compare", "vol_shock", "--seeds", "1,1"), "--seeds"),
    (("compare", "no_such_scenario"), "no_such_scenario"),
    (("compare", "vol_shock", "--vs", "nope"), "key '--vs': unknown scenario 'nope'"),
    (("compare", "vol_shock", "--days", "0"), "--days"),
    (("compare", "vol_shock", "--set", "cta.no_such_key=1"), "cta.no_such_key"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, args, needle):
    before = snapshot(tmp_path)
    assert_contract(invoke(*args, cwd=tmp_path), before, tmp_path, needle)


def test_a_folder_of_other_files_is_refused_without_force(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    before = snapshot(tmp_path)
    res = invoke("compare", "vol_shock", "--seeds", "1", "--days", "2", "--out", "mine", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "mine")


def test_a_pair_with_an_unstable_run_is_left_out_unless_asked(tmp_path, monkeypatch):
    real = cmp._metrics

    def seed_2_unstable(result):                      # seed 2's scenario run reports a bound guard
        m = real(result)
        if result.seed == 2 and result.scenario == "vol_shock":
            m[STABLE] = 0.0
        return m
    monkeypatch.setattr(cmp, "_metrics", seed_2_unstable)
    p = cmp.plan("vol_shock", "baseline", seeds=[1, 2], days=22, attribution=False)
    res = cmp.run_compare(p, tmp_path / "a", workers=1, progress=False)
    assert res.unstable_runs == 1 and set(res.diffs["seed"]) == {1} and (res.effects["n"] == 1).all()
    res = cmp.run_compare(p, tmp_path / "b", workers=1, progress=False, include_unstable=True)
    assert res.unstable_runs == 1 and set(res.diffs["seed"]) == {1, 2} and (res.effects["n"] == 2).all()


def test_a_shock_after_the_last_day_is_warned_about_in_one_line_and_recorded(tmp_path):
    res = invoke("compare", "vol_shock", "--days", "10", "--seeds", "1..2", "--no-attribution", "--workers", "1",
                 "--quiet", "--out", "c", cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "vol_spike at day 20" in lines[0], lines
    warnings = json.loads((tmp_path / "c" / "compare.json").read_text())["warnings"]
    assert len(warnings) == 1 and "day 10" in warnings[0]


def test_a_refused_out_folder_is_one_line_with_no_plan_printed_before_it(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    before = snapshot(tmp_path)
    res = invoke("compare", "vol_shock", "--seeds", "1", "--days", "2", "--out", "mine", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "mine", "--out")
    assert res.stdout == "", res.stdout


def test_a_plan_past_the_limits_is_one_line_with_no_plan_printed_before_it(tmp_path):
    before = snapshot(tmp_path)
    res = invoke("compare", "vol_shock", "--seeds", "1..1000", "--days", "20000", "--out", "big", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "--yes", "CPU hours")
    assert res.stdout == "", res.stdout
