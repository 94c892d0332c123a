"""`interlock run` writes its outputs (atomically) and `interlock scenarios` lists scenarios."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd


def cli(*args):
    return subprocess.run([sys.executable, "-m", "interlock.cli", *args], capture_output=True, text=True)


def test_run_writes_all_outputs_with_a_summary(tmp_path):
    out = tmp_path / "run"
    res = cli("run", "vol_shock", "--days", "60", "--seed", "2", "--out", str(out), "--attribution")
    assert res.returncode == 0, res.stderr
    for name in ("timeseries.parquet", "flows.parquet", "events.parquet", "summary.json", "dashboard.png"):
        assert (out / name).stat().st_size > 0
    s = json.loads((out / "summary.json").read_text())
    assert s["seed"] == 2 and s["days"] == 60 and s["scenario"] == "vol_shock"
    assert {"mesa", "numpy", "interlock"} <= set(s["versions"])
    assert set(s["metrics"]["assets"]["SPX"]) >= {"max_drawdown", "days_to_trough", "recovery_days"}
    assert "amplification" in s["metrics"] and "attribution" in s
    assert set(s["attribution"]) >= {"vol_target", "cta", "buyback", "discretionary", "dealer", "fed"}
    flows = pd.read_parquet(out / "flows.parquet")
    assert list(flows.columns) == ["day", "round", "agent_class", "agent_id", "asset", "usd_bn", "forced", "reason"]
    assert (flows["round"] > 0).any() and flows.loc[flows["round"] > 0, "forced"].all()
    ev = pd.read_parquet(out / "events.parquet")
    assert (ev["kind"] == "shock").sum() == 1
    assert "SPX" in res.stdout and "outputs:" in res.stdout


def test_scenarios_lists_one_line_each_and_shows_one():
    res = cli("scenarios")
    names = [ln.split()[0] for ln in res.stdout.strip().splitlines()]
    assert {"baseline", "vol_shock", "fed_whiplash", "political_easing_2026", "buyback_ban",
            "stagflation_tariffs"} <= set(names)
    res = cli("scenarios", "vol_shock")
    assert "WHAT TO LOOK AT" in res.stdout and "001" in res.stdout


def test_positions_equal_the_sum_of_executed_trades_in_the_flow_table():
    """Rebuild every population's positions and cash from flows.parquet rows and the clearing
    price of each (day, round): they match the agents' books exactly."""
    import numpy as np
    from interlock.experiments.validation.checks import rebuild_books    # what `interlock validate` checks

    books = rebuild_books("vol_shock", days=40, seed=3)
    m, flows = books.model, books.flows
    for pop in m.populations:
        f = flows[flows["agent_class"] == pop.agent_class]
        assert len(f) > 0, pop.agent_class
        units, cash = books.rebuilt[pop.agent_class]
        assert np.allclose(cash, pop.cash, atol=1e-9), pop.agent_class
        if pop.agent_class != "buyback":      # repurchased shares are retired, not held
            assert np.allclose(units, pop.units, rtol=1e-12, atol=1e-12), pop.agent_class
    m.release()
