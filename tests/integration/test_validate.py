"""`interlock validate --quick` shows the model against the real world and its must-hold checks
pass (MODEL.md §6, issue #12): the worst-case round gain below 1, the stylized facts seed by seed
(the medians inside the bands, the agents deepening the left tail), the implied-vol curve beside the
VIX, flow sizes, the multiplier in 3–8, every documented loop with its sign, conservation and
determinism.

The command runs in this process on the session's runs (`long_runs` in conftest.py): its
stylized facts and loop signs read the same 10 × 3,000-day baselines as test_stylized_facts.py,
test_flows_and_implied_vol.py and test_engine_loops.py, made once. MODEL.md §6.4 (the leverage cycle) and §6.5 (episodes) are
tested on the model itself in test_leverage_cycle.py and test_episodes.py."""

from __future__ import annotations

import json
import logging
import math

import numpy as np
import pytest
from click.testing import CliRunner

from interlock.cli import cli
from interlock.reports import validation as R
from long_runs import EXOGENOUS_DAYS, FACTS_DAYS, FACTS_OVERRIDES, FACTS_SEEDS


@pytest.fixture(scope="module")
def quick(tmp_path_factory, long_runs):
    out = tmp_path_factory.mktemp("validation")
    level = logging.getLogger("interlock.model").level         # the report quietens the model's logger
    first = len(long_runs.requested)
    try:
        with long_runs.installed():
            res = CliRunner().invoke(cli, ["validate", "--quick", "--out", str(out)])
    finally:
        logging.getLogger("interlock.model").setLevel(level)
    checks = json.loads((out / "checks.json").read_text())
    by_name = {c["name"]: c for c in checks["checks"]}
    return {"res": res, "out": out, "checks": checks["checks"], "by_name": by_name,
            "numbers": checks["numbers"], "report": (out / "report.md").read_text(),
            "requested": set(long_runs.requested[first:])}


def _ok(quick, name):
    c = quick["by_name"][name]
    print(f"{name}: {c['detail']}")
    return c["ok"]


def test_the_report_reads_the_sessions_long_runs(quick, long_runs):
    """The quick report's sizes are the shared runs' sizes, and its facts and loop signs asked the
    session for their runs — otherwise the tests and the report would each make their own."""
    assert (R.QUICK.facts_days, R.QUICK.facts_seeds, R.QUICK.exogenous_days) == (FACTS_DAYS, FACTS_SEEDS,
                                                                                 EXOGENOUS_DAYS)
    key = long_runs.key
    facts = {key("baseline", FACTS_DAYS, s, (), FACTS_OVERRIDES, False) for s in FACTS_SEEDS}
    cta_off = key("baseline", FACTS_DAYS, FACTS_SEEDS[0], ("cta",), FACTS_OVERRIDES, False)
    assert facts | {cta_off} <= quick["requested"]


def test_validate_quick_writes_every_section_with_figures_and_exits_zero(quick):
    res = quick["res"]
    assert res.exit_code == 0, res.output + repr(res.exception)
    rep = quick["report"]
    for heading in ("## 0. Stability by construction", "## 1. Stylized facts", "## 1b. Implied volatility",
                    "## 2. The flow multiplier", "## 3. Loop signs", "### Ablation table",
                    "## 4. Leverage-cycle instability", "## 5. Episode replays", "## 5b. Attribution",
                    "## 6. Determinism and conservation"):
        assert heading in rep
    for fig in ("facts_acf.png", "facts_qq.png", "facts_hist.png", "leverage_cycle.png", "episode_feb2018.png"):
        assert (quick["out"] / fig).stat().st_size > 10_000, fig
        assert f"]({fig})" in rep
    assert "must hold" in rep and "must-hold checks" in quick["res"].output


def test_every_must_hold_check_passes(quick):
    failed = [c["name"] for c in quick["checks"] if c["must_hold"] and not c["ok"]]
    assert not failed, failed


def test_the_stylized_facts_are_shown_seed_by_seed_with_their_bands(quick):
    from interlock.experiments.validation import checks as V
    assert _ok(quick, "the median over seeds is inside every band")
    assert _ok(quick, "the agents deepen the left tail (1% quantile and days below −5%, every seed)")
    assert _ok(quick, "the S&P 500 itself is inside every band")
    f = quick["numbers"]["facts"]
    assert len(f["model_spx"]) == len(FACTS_SEEDS) == len(f["agents_off"])
    per_seed = quick["by_name"]["every seed inside every band (issue #12)"]
    misses = [s for s, x in zip(FACTS_SEEDS, f["model_spx"]) if V.outside_bands(x)]
    assert per_seed["ok"] == (not misses)
    for s in misses:
        assert f"seed {s}:" in per_seed["detail"]
    # the bar's yardstick beside it: the S&P's own samples, three bootstraps and its windows
    assert "**The bar on the S&P 500 itself**" in quick["report"]
    bar = f["sp500_band_pass"]
    assert len(bar) == 4 and all(0.0 <= b["share"] <= 1.0 and b["samples"] > 0 for b in bar)


def test_the_implied_vol_curve_and_flow_sizes_are_checked(quick):
    for name in ("VOL_1M < VOL_3M on ≥ 70% of calm days", "a positive variance risk premium of a few points",
                 "the curve inverts in stress", "every class: median |net flow| ≤ $10bn, 99th percentile ≤ $60bn a day",
                 "dealers hedge past a threshold, not every day", "worst-case round gain < 1 over the plausible box"):
        assert _ok(quick, name)
    assert quick["numbers"]["implied_vol"]["vix"]["premium_pts"] == pytest.approx(3.0, abs=0.1)


def test_the_multiplier_is_between_3_and_8(quick):
    assert _ok(quick, "aggregate equity multiplier is in Gabaix & Koijen's 3–8")
    assert 3.0 <= float(np.median(quick["numbers"]["multiplier"]["permanent"])) <= 8.0


def test_every_documented_loop_has_its_sign(quick):
    loops = quick["numbers"]["loops"]
    classes = {lp["class"] for lp in loops}
    assert {"vol_target", "cta", "buyback"} <= classes        # MODEL.md §6.1 loops of the engine
    for lp in loops:
        c = quick["by_name"][f"loop sign: {lp['claim']}"]
        if c["must_hold"]:                                     # reported loops are shown, not asserted
            assert _ok(quick, f"loop sign: {lp['claim']}"), lp


def test_the_ablation_table_switches_every_agent_class_off(quick, long_runs):
    from interlock.experiments.runner import run
    from interlock.experiments.validation import checks as V
    from interlock.model.model import agent_classes
    rows = quick["numbers"]["ablation"]
    assert {r["agent_class"] for r in rows} == set(agent_classes())
    # every class changes something where it is exercised (else its row says nothing)
    for c in agent_classes():
        deltas = [abs(r[f"d_{k}"]) for r in rows if r["agent_class"] == c for k in V.ABLATION_METRICS]
        assert max(deltas) > 0, c
    # a row is on − off of the same seed: recompute vol-target funds on the vol shock
    row = next(r for r in rows if (r["agent_class"], r["scenario"]) == ("vol_target", "vol_shock"))
    seed, days = R.QUICK.ablation_seeds[0], R.QUICK.ablation_days
    assert R.QUICK.ablation_seeds == (seed,)
    on = V.run_metrics(long_runs("vol_shock", days=days, seed=seed))
    off = V.run_metrics(run("vol_shock", days=days, seed=seed, disabled=["vol_target"], amplification=False))
    assert row["dd_spx"] == pytest.approx(on["dd_spx"])
    assert row["d_dd_spx"] == pytest.approx(on["dd_spx"] - off["dd_spx"])
    assert row["d_peak_vol"] == pytest.approx(on["peak_vol"] - off["peak_vol"])


def test_money_btc_units_and_positions_are_conserved(quick):
    for name in ("positions = sum of executed trades", "money: cash changes only by executed trades",
                 "BTC units: holdings change only by BTC trades"):
        assert _ok(quick, name)


def test_same_seed_gives_identical_outputs_here_and_in_another_process(quick):
    assert _ok(quick, "same seed twice in one process ⇒ identical tables")
    assert _ok(quick, "same seed in another process ⇒ identical time series")


def test_the_leverage_cycle_sweep_stays_finite_up_to_ten_times_the_default_aum(quick):
    from interlock.config import param_specs
    assert _ok(quick, "the leverage cycle stays bounded (no NaN/overflow) up to 10× the default AUM")
    lc = quick["numbers"]["leverage_cycle"]
    default = float(param_specs()["vol_target.aum"].default)
    assert max(lc["values"]) == pytest.approx(R.CYCLE_MAX_FACTOR * default)
    for k in ("largest_loss", "kurtosis", "exposure_sd", "spx_vol"):
        assert all(x is not None and math.isfinite(x) for x in lc[k]), k
    assert all(0.0 < x <= 1.0 for x in lc["largest_loss"])         # a daily loss, as a simple return
    thr = lc["threshold"]
    said = "not reached in the sweep" if thr is None else f"≈ ${thr:,.0f}bn of vol-target AUM"
    assert f"**Threshold: {said}" in quick["report"]


def test_every_episode_is_replayed_beside_history_with_one_model_value_per_seed(quick):
    from interlock.experiments.validation import episodes as E
    eps = quick["numbers"]["episodes"]
    assert set(eps) == {ep.name for ep in E.EPISODES}
    for name, ep in eps.items():
        for row in ep["rows"]:
            assert len(row["model"]) == len(R.QUICK.episode_seeds) and all(math.isfinite(x) for x in row["model"])
            assert math.isfinite(row["history"])
            assert f"| {row['quantity']} |" in quick["report"]


def test_a_failing_must_hold_check_makes_validate_exit_non_zero(tmp_path, monkeypatch):
    from interlock.cli import cli
    from interlock.reports import validation as R
    from interlock.experiments.validation.checks import Check

    def broken(rep, sz):
        rep.add(Check("a must-hold claim", False, "made to fail"))
        rep.add(Check("a reported number", False, "failing but only reported", must_hold=False))
        rep.sections.append("## broken\n")

    monkeypatch.setattr(R, "SECTIONS", (broken,))
    res = CliRunner().invoke(cli, ["validate", "--out", str(tmp_path / "v")])
    assert res.exit_code == 1
    assert "FAILED: a must-hold claim" in res.output and "a reported number" not in res.output
    assert "a must-hold claim" in (tmp_path / "v" / "report.md").read_text()

    def fine(rep, sz):
        rep.add(Check("a reported number", False, "failing but only reported", must_hold=False))

    monkeypatch.setattr(R, "SECTIONS", (fine,))
    assert CliRunner().invoke(cli, ["validate", "--out", str(tmp_path / "w")]).exit_code == 0
