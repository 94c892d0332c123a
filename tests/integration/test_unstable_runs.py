"""Unstable runs are visible (issue #12 item 6): a sweep counts them, `sensitivity` and `sweep-plot`
count them and leave them out unless `--include-unstable`, and a stress test leaves them out of
every probability unless asked. Runs are made unstable on purpose (`unstable_model`: Ishigami runs
past a test guard), so these tests hold whichever market core is merged."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import tomli_w

from cli_contract import invoke
from interlock.experiments.stability import STABLE, count_unstable, of_summary, unstable_mask, warning_line
from interlock.experiments.sweeps import jobs
from unstable_model import MODEL, UNSTABLE_ABOVE

SOBOL = {"model": "ishigami", "seeds": 1, "design": {"kind": "sobol", "n": 64, "seed": 2},
         "parameters": {"ishigami.x1": {}, "ishigami.x2": {}, "ishigami.x3": {}}}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A Sobol' sweep of the Ishigami function whose runs with x1 > 2 report a bound guard."""
    root = tmp_path_factory.mktemp("unstable")
    (root / "s.toml").write_text(tomli_w.dumps(SOBOL), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setitem(jobs.MODELS, "ishigami", MODEL)       # the same design, runs that can be unstable
    try:
        res = invoke("sweep", root / "s.toml", "--out", root / "sweep", "--workers", "1", cwd=root)
    finally:
        mp.undo()
    assert res.exit_code == 0, res.output
    return root, res


def test_a_summary_that_does_not_say_counts_as_stable():
    assert of_summary({}).stable and not of_summary({}).known and warning_line({"metrics": {}}) is None
    assert of_summary({"stability": {"stable": True, "reasons": [], "guard_events": 0}}).known
    table = pd.DataFrame({"run_id": [0, 1, 2], STABLE: [1.0, 0.0, math.nan]})
    assert list(unstable_mask(table)) == [False, True, False]
    assert not unstable_mask(pd.DataFrame({"run_id": [0]})).any()


def test_a_sweep_counts_its_unstable_runs(sweep):
    root, res = sweep
    summary = pd.read_parquet(root / "sweep" / "summary.parquet")
    params = pd.read_parquet(root / "sweep" / "params.parquet")
    expected = int((params["ishigami.x1"] > UNSTABLE_ABOVE).sum())
    assert 0 < expected < len(params)
    assert count_unstable(summary) == expected
    assert json.loads((root / "sweep" / "manifest.json").read_text())["counts"]["unstable"] == expected
    assert f"warning: {expected} of {len(params)} runs were unstable" in res.stderr


def test_sensitivity_leaves_unstable_runs_out_unless_asked(sweep):
    root, _ = sweep
    res = invoke("sensitivity", root / "sweep", "--metric", "y", "--resamples", "20", cwd=root)
    assert res.exit_code == 2                      # points left with no stable run: it says so
    assert "unstable runs are left out (--include-unstable keeps them)" in res.stderr
    res = invoke("sensitivity", root / "sweep", "--metric", "y", "--resamples", "20", "--include-unstable",
                 cwd=root)
    assert res.exit_code == 0, res.output
    assert "were unstable (a guard bound); they are included (--include-unstable)" in res.output


def test_sweep_plot_draws_only_stable_runs_unless_asked(sweep, monkeypatch):
    from interlock.commands import sweep_plot
    from interlock.viz import sweep_figures
    root, _ = sweep
    drawn = []
    real = sweep_figures.response_curves

    def spy(runs, xs, metric, path, bins=8):
        drawn.append(runs)
        return real(runs, xs, metric, path, bins=bins)
    monkeypatch.setattr(sweep_figures, "response_curves", spy)
    assert sweep_plot.MAX_BINS >= 8
    res = invoke("sweep-plot", root / "sweep", "--metric", "y", "--x", "ishigami.x1", "--out", root / "p1", cwd=root)
    assert res.exit_code == 0, res.output
    assert drawn[-1]["ishigami.x1"].max() <= UNSTABLE_ABOVE and "are left out" in res.stderr
    res = invoke("sweep-plot", root / "sweep", "--metric", "y", "--x", "ishigami.x1", "--include-unstable",
                 "--out", root / "p2", cwd=root)
    assert res.exit_code == 0, res.output
    assert drawn[-1]["ishigami.x1"].max() > UNSTABLE_ABOVE and "they are included" in res.stderr


def test_a_stress_test_leaves_unstable_runs_out_of_every_claim_unless_asked(tmp_path):
    """A run whose summary says a guard bound is left out of the probabilities even when the market
    capped nothing; with include_unstable it counts like any run, and is still located."""
    from interlock.experiments.stress.engine import CAPPED_DAYS, analyse, claim_column
    from interlock.experiments.stress.narratives import load_narrative
    from interlock.reports.stress import render_report
    from test_stress_narratives import TOY_CLAIMS, toy_narrative
    narr = load_narrative(toy_narrative(tmp_path, TOY_CLAIMS), samples=30, seeds=1)
    rows = []
    for off in ("", "cta", "dealer"):
        for p, pt in enumerate(narr.spec.points()):
            shaky = pt["vol_target.aum"] > 700
            rows.append({"run": len(rows), "point_id": p, "seed": 1, "off": off, "status": "ok", **pt,
                         CAPPED_DAYS: 0.0, STABLE: 0.0 if shaky else 1.0,
                         claim_column("always"): 0.0 if shaky else 1.0, claim_column("never"): 0.0,
                         claim_column("needs_cta"): float(off != "cta")})
    runs = pd.DataFrame(rows)
    for c in narr.claims:
        for j, _ in enumerate(c.claim.comparisons):
            runs[f"term.{c.name}.{j}.left"] = runs[f"term.{c.name}.{j}.right"] = 0.0
    series = pd.DataFrame(columns=["run", "day", "SPX", "VOL_1M"])
    n_shaky = sum(pt["vol_target.aum"] > 700 for pt in narr.spec.points())
    assert 0 < n_shaky < 30
    left_out = analyse(narr, runs, series)
    assert left_out.claims[0].estimate.n == 30 - n_shaky and left_out.claims[0].estimate.p == 1.0
    assert left_out.unstable_runs == n_shaky
    counted = analyse(narr, runs, series, include_unstable=True)
    assert counted.claims[0].estimate.n == 30
    assert counted.claims[0].estimate.p == pytest.approx((30 - n_shaky) / 30)
    assert counted.unstable_runs == n_shaky                          # still counted apart
    assert "(`--include-unstable`)" in render_report(counted) and "left out" in render_report(left_out)
    assert np.isnan(left_out.runs.loc[left_out.runs[STABLE] == 0.0, claim_column("always")]).all()
