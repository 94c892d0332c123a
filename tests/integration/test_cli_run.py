"""`interlock run` writes its outputs (atomically) and `interlock scenarios` lists scenarios."""

from __future__ import annotations

import errno
import json
import subprocess
import sys

import pandas as pd
import tomli_w

from cli_contract import GOOD_SCENARIO, assert_contract, invoke, snapshot


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
    assert "Nomura (Aug 2024)" in res.stdout                    # the external references, all of them
    res = cli("scenarios", "episode_feb2018")
    assert '"vol_etp.inverse_aum" = 3.6' not in res.stdout and "  vol_etp.inverse_aum = 3.6" in res.stdout


def test_params_says_when_a_run_takes_the_start_dates_snapshot_value_instead():
    """`buyback.sp500_annual`'s default is 2024's $942.5bn; every run from 21 Nov 2025 uses the
    snapshot's $997.8bn (12 months to June 2025): the listing says so instead of showing one number."""
    res = cli("params", "buyback.sp500_annual")
    assert "942.5" in res.stdout and "snapshot value instead: 997.8 on 2025-11-21" in res.stdout


def test_scenarios_shocks_lists_every_shock_type_with_its_parameters():
    """The reference a user writing [[shocks]] needs, read from the shock table itself."""
    from interlock.model.shocks import SHOCK_TYPES

    res = cli("scenarios", "--shocks")
    listed = [ln.split(":")[0].strip() for ln in res.stdout.splitlines() if ln.startswith("  ") and not ln.startswith("    ")]
    assert listed == list(SHOCK_TYPES)
    assert "macro_surprise: inflation (default 0.0; ≥ -0.05, ≤ 0.05)" in res.stdout
    assert "months (optional; > 0, ≤ 120)" in res.stdout and "rate (required; ≥ -2, ≤ 1)" in res.stdout


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


# ----- issue #17: outputs never destroy a user's files; the default folders --------------------------
def test_the_data_loss_reproduction_leaves_the_users_files_and_exits_2(tmp_path):
    (tmp_path / "x" / "sub").mkdir(parents=True)
    (tmp_path / "x" / "notes.txt").write_text("precious\n", encoding="utf-8")
    before = snapshot(tmp_path)
    res = invoke("run", "baseline", "--days", "5", "--no-figures", "--quiet", "--out", tmp_path / "x", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "notes.txt", "--out")
    assert (tmp_path / "x" / "notes.txt").read_text(encoding="utf-8") == "precious\n" and (tmp_path / "x" / "sub").is_dir()


def test_changed_parameters_get_their_own_default_folder_and_as_of_sets_the_start_date(tmp_path):
    args = ("run", "baseline", "--days", "3", "--quiet", "--no-figures")
    assert invoke(*args, cwd=tmp_path).exit_code == 0
    assert invoke(*args, "--set", "cta.aum=300", cwd=tmp_path).exit_code == 0
    assert invoke(*args, "--as-of", "2025-01-27", cwd=tmp_path).exit_code == 0
    assert invoke(*args, cwd=tmp_path).exit_code == 0                      # an earlier run is replaced
    folders = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(folders) == 3 and folders[0] == "baseline-1" and all(f.startswith("baseline-1-") for f in folders[1:])
    by_date = {json.loads((tmp_path / "runs" / f / "summary.json").read_text())["config"]["run.start_date"]: f
               for f in folders}
    assert "2025-01-27" in by_date
    ts = pd.read_parquet(tmp_path / "runs" / by_date["2025-01-27"] / "timeseries.parquet")
    assert str(ts["date"].iloc[0].date()) == "2025-01-27"


def test_a_scenario_name_with_a_path_never_writes_outside_runs(tmp_path):
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "s.toml").write_text(tomli_w.dumps({**GOOD_SCENARIO, "name": "../../x"}), encoding="utf-8")
    res = invoke("run", "s.toml", "--days", "3", "--quiet", "--no-figures", cwd=tmp_path / "deep")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "deep" / "runs").iterdir()) == ["x-1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep"]


def test_a_full_disk_ends_in_one_line_and_leaves_the_earlier_run(tmp_path, monkeypatch):
    out = tmp_path / "run"
    assert invoke("run", "baseline", "--days", "3", "--quiet", "--no-figures", "--out", out, cwd=tmp_path).exit_code == 0
    before = snapshot(tmp_path)
    real = pd.DataFrame.to_parquet

    def full(self, path, *a, **k):
        if str(path).endswith("flows.parquet"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(self, path, *a, **k)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    res = invoke("run", "baseline", "--days", "4", "--quiet", "--no-figures", "--out", out, cwd=tmp_path)
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.strip().count("\n") == 0 and "No space left on device" in res.stderr
    assert snapshot(tmp_path) == before                                     # the earlier run, untouched


# ----- stability is visible (issue #12 item 6) --------------------------------------------------------
def test_an_unstable_run_prints_one_warning_line_with_its_reasons(tmp_path, monkeypatch):
    from interlock.experiments import runner
    real = runner.run

    def unstable(*a, **k):
        res = real(*a, **k)
        res.summary["stability"] = {"stable": False, "reasons": ["SPX moved past the daily guard"], "guard_events": 4}
        return res
    monkeypatch.setattr(runner, "run", unstable)
    res = invoke("run", "baseline", "--days", "3", "--no-figures", "--out", tmp_path / "r", cwd=tmp_path)
    assert res.exit_code == 0, res.output
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1 and "unstable" in warnings[0] and "SPX moved past the daily guard" in warnings[0]
    assert "4 guard events" in warnings[0]
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["stability"]["stable"] is False


def test_the_warning_follows_what_the_run_summary_says_whichever_core_made_it(tmp_path):
    """An override far outside the plausible range: whichever market core runs it, the warning is
    printed exactly when summary.json says the run was unstable (a summary that does not say
    counts as stable)."""
    from interlock.config import param_specs
    from interlock.experiments.stability import of_summary
    spec = param_specs()["vol_target.aum"]
    far = spec.max if spec.max is not None else 50 * spec.range[1]
    res = invoke("run", "vol_shock", "--days", "40", "--no-figures", "--quiet", "--set", f"vol_target.aum={far}",
                 "--out", tmp_path / "r", cwd=tmp_path)
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    warned = any(ln.startswith("warning: this run was unstable") for ln in res.stderr.splitlines())
    assert warned == (not of_summary(summary).stable)


def test_a_shock_after_the_last_day_is_warned_about_in_one_line_and_recorded(tmp_path):
    """vol_shock's shock is at day 20 for 5 days: a 10-day run warns (not an error) and summary.json
    says so; a 21-day run warns that it is cut short; a run that reaches its end does not warn."""
    res = invoke("run", "vol_shock", "--days", "10", "--no-figures", "--quiet", "--out", tmp_path / "short",
                 cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: "), lines
    assert "vol_spike at day 20" in lines[0] and "day 10" in lines[0]
    s = json.loads((tmp_path / "short" / "summary.json").read_text())
    assert len(s["warnings"]) == 1 and "vol_spike at day 20" in s["warnings"][0]
    res = invoke("run", "vol_shock", "--days", "21", "--no-figures", "--quiet", "--out", tmp_path / "cut",
                 cwd=tmp_path)
    assert res.exit_code == 0 and "cut short: vol_spike at day 20 for 5 days (to day 24)" in res.stderr
    res = invoke("run", "vol_shock", "--days", "24", "--no-figures", "--quiet", "--out", tmp_path / "long",
                 cwd=tmp_path)
    assert res.exit_code == 0 and "warning" not in res.stderr
    assert json.loads((tmp_path / "long" / "summary.json").read_text())["warnings"] == []


def test_summary_config_carries_the_days_the_run_ran(tmp_path):
    res = invoke("run", "vol_shock", "--days", "7", "--no-figures", "--quiet", "--out", tmp_path / "r", cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert s["days"] == 7 and s["config"]["run.days"] == 7
    assert "run.days" not in s["overrides"]


def test_the_outputs_line_lists_only_the_files_written(tmp_path):
    res = invoke("run", "baseline", "--days", "5", "--no-figures", "--out", tmp_path / "r", cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("outputs:"))
    listed = line.split("(", 1)[1].rstrip(")").split(", ")
    assert sorted(listed) == sorted(p.name for p in (tmp_path / "r").iterdir())
    assert "dashboard.png" not in line and "report.html" not in line


def test_a_run_replaces_a_run_folder_that_plot_drew_into(tmp_path):
    """`interlock plot DIR` draws every figure into the run folder (with ffmpeg, network.mp4 beside
    network.gif); a later `interlock run --out DIR` replaces it as its own."""
    out = tmp_path / "r"
    assert invoke("run", "baseline", "--days", "5", "--no-figures", "--quiet", "--out", out, cwd=tmp_path).exit_code == 0
    res = invoke("plot", out, cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    drawn = {p.name for p in out.iterdir()} - {"timeseries.parquet", "flows.parquet", "events.parquet", "summary.json"}
    (out / "network.mp4").touch(exist_ok=True)        # what FFmpeg writes beside the gif, ffmpeg installed or not
    assert {"cascade.png", "sankey.png", "network.gif", "network.png"} <= drawn
    res = invoke("run", "baseline", "--days", "5", "--no-figures", "--quiet", "--out", out, cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    assert not any((out / n).exists() for n in drawn | {"network.mp4"})


def test_python_dash_m_interlock_is_the_command_line():
    res = subprocess.run([sys.executable, "-m", "interlock", "--version"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("interlock")
    bad = subprocess.run([sys.executable, "-m", "interlock", "run", "no_such_scenario"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "unknown scenario" in bad.stderr


def test_a_set_value_outside_its_plausible_range_is_run_with_a_note(tmp_path):
    """`--set vol_target.aum=5000` (plausible 150–1000) is a legitimate what-if: it runs, and says on
    stderr that it is beyond what the sources support; a value inside the range says nothing."""
    res = invoke("run", "vol_shock", "--days", "2", "--no-figures", "--quiet", "--out", str(tmp_path / "a"),
                 "--set", "vol_target.aum=5000", cwd=tmp_path)
    assert res.exit_code == 0
    assert "note: vol_target.aum=5000 is outside its plausible range 150–1000" in res.stderr
    res = invoke("run", "vol_shock", "--days", "2", "--no-figures", "--quiet", "--out", str(tmp_path / "b"),
                 "--set", "vol_target.aum=800", cwd=tmp_path)
    assert res.exit_code == 0 and "plausible range" not in res.stderr
