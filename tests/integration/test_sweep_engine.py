"""The sweep engine: identical results whatever the executor, failures recorded, Ctrl-C saves and
--resume finishes, memory stays flat, the API a stress test builds on, and sweep plots."""

from __future__ import annotations

import collections
import gc
import json
import textwrap
import weakref

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from interlock.cli import cli
from interlock.errors import InputError
from interlock.experiments.scenarios import load_scenario
from interlock.experiments.sweeps.engine import (Job, execute, read_manifest, read_params, read_runs, read_summary,
                                         read_timeseries, run_sweep, summary_metrics)

SPEC = """\
scenario = "baseline"
days = 6
seeds = 2
[design]
kind = "grid"
levels = 3
[parameters]
"vol_target.aum" = { range = [150, 1000] }
"cta.aum" = { values = [200.0, 500.0] }
[outputs]
timeseries = true
every = 2
columns = ["SPX", "VOL_1M"]
"""


def tables(d):
    ts = read_timeseries(d)
    return read_params(d), pd.read_parquet(d / "summary.parquet"), ts


def assert_same_tables(a, b):
    for x, y in zip(tables(a), tables(b)):
        pd.testing.assert_frame_equal(x, y)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("spec") / "grid.toml"
    p.write_text(SPEC, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def one_process(spec_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "sweep"
    run_sweep(spec_file, out, workers=1, progress=False)
    return out


def test_a_local_pool_gives_the_same_tables_as_one_process(spec_file, one_process, tmp_path):
    out = tmp_path / "pool"
    report = run_sweep(spec_file, out, workers=2, progress=False, runs_per_task=1)
    assert report.status == "complete" and report.executor["kind"] == "local pool"
    assert_same_tables(out, one_process)


def test_the_tables_have_one_row_per_run_with_flattened_metrics(one_process):
    params, summary, ts = tables(one_process)
    assert list(summary["run_id"]) == list(range(12)) == list(params["run_id"])
    assert list(params.columns[:3]) == ["run_id", "point_id", "seed"]
    assert {"vol_target.aum", "cta.aum"} <= set(params.columns)
    assert {"SPX.max_drawdown", "peak_VOL_1M", "net_flow_by_class_bn.cta"} <= set(summary.columns)
    assert (summary["status"] == "ok").all()
    # the seeds repeat at every point (common random numbers across points)
    assert list(params["seed"]) == [1, 2] * 6
    # the time series is thinned to every 2nd day of the chosen columns
    assert list(ts.columns) == ["run_id", "day", "date", "SPX", "VOL_1M"]
    assert sorted(ts["day"].unique()) == [0, 2, 4, 6]
    assert len(ts) == 12 * 4
    m = read_manifest(one_process)
    assert m["status"] == "complete" and m["counts"] == {"runs": 12, "done": 12, "ok": 12, "failed": 0, "unstable": 0}
    assert not (one_process / "parts").exists()
    assert (one_process / "spec.toml").exists()


def test_a_sweep_run_equals_the_runner_run_with_the_same_parameters(one_process):
    from interlock.experiments.runner import run
    params, summary, _ = tables(one_process)
    row = params.iloc[7]
    res = run("baseline", days=6, seed=int(row["seed"]), amplification=False,
              overrides={"vol_target.aum": row["vol_target.aum"], "cta.aum": row["cta.aum"]})
    expect = summary_metrics(res)
    got = summary.iloc[7]
    assert got["SPX.max_drawdown"] == expect["SPX.max_drawdown"]
    assert got["peak_VOL_1M"] == expect["peak_VOL_1M"]


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    sc = load_scenario("baseline")
    jobs = [Job(run_id=i, point_id=i, scenario=sc, overrides={"vol_target.aum": aum}, seed=1, days=3)
            for i, aum in enumerate([300.0, -5.0, 600.0])]         # a negative AUM raises in the run
    report = execute(jobs, tmp_path / "s", workers=1, progress=False)
    assert report.status == "complete" and (report.ok, report.failed) == (2, 1)
    s = read_summary(tmp_path / "s")
    assert list(s["status"]) == ["ok", "failed", "ok"]
    assert "InputError" in s.loc[1, "error"] and "vol_target.aum" in s.loc[1, "error"]
    assert np.isnan(s.loc[1, "SPX.max_drawdown"]) and np.isfinite(s.loc[2, "SPX.max_drawdown"])
    assert read_params(tmp_path / "s").loc[1, "vol_target.aum"] == -5.0   # its parameters are kept
    assert read_manifest(tmp_path / "s")["failures"][0]["run_id"] == 1


STOP_AT = {"run_id": None}


def interrupting_metrics(result):
    """A metrics function that presses Ctrl-C in the middle of a sweep."""
    if result.summary["overrides"].get("cta.aum") == STOP_AT["run_id"]:
        raise KeyboardInterrupt
    return summary_metrics(result)


def test_ctrl_c_keeps_finished_runs_and_resume_finishes_only_the_rest(tmp_path):
    sc = load_scenario("baseline")
    jobs = [Job(run_id=i, point_id=i, scenario=sc, overrides={"cta.aum": 200.0 + i}, seed=1, days=3)
            for i in range(12)]
    out = tmp_path / "s"
    STOP_AT["run_id"] = 207.0
    with pytest.raises(KeyboardInterrupt):
        execute(jobs, out, workers=1, progress=False, metrics=interrupting_metrics, runs_per_task=2)
    m = read_manifest(out)
    assert m["status"] == "interrupted" and m["counts"]["done"] == 6       # runs 0–5 finished
    assert sorted(read_summary(out)["run_id"]) == list(range(6))
    with pytest.raises(InputError, match="pass --resume"):
        execute(jobs, out, workers=1, progress=False, metrics=interrupting_metrics)
    STOP_AT["run_id"] = None
    report = execute(jobs, out, workers=1, progress=False, metrics=interrupting_metrics, resume=True)
    assert report.ran_now == 6 and report.status == "complete"
    full = tmp_path / "full"
    execute(jobs, full, workers=1, progress=False, metrics=interrupting_metrics)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), pd.read_parquet(full / "summary.parquet"))
    # a different job list cannot resume this folder
    with pytest.raises(InputError, match="different spec or job list"):
        execute(jobs[:5], out, workers=1, progress=False, resume=True)


CENSUS: list = []


def census_metrics(result):
    """Counts live objects by type at three moments of a long sweep. Dead weak references are
    not counted: pandas' copy-on-write keeps them for the blocks of frames derived from a
    long-lived frame until its periodic clean-up (bounded: at most ~500 per shared block)."""
    n = result.summary["overrides"]["cta.aum"] - 200.0
    if n in (20, 80, 140):
        gc.collect()
        CENSUS.append(collections.Counter(type(o).__name__ for o in gc.get_objects()
                                          if not (isinstance(o, weakref.ref) and o() is None)))
    return summary_metrics(result)


def test_memory_stays_flat_over_a_long_sweep_in_one_process(tmp_path):
    import mesa
    from interlock.model.model import CapitalFlowModel
    sc = load_scenario("baseline")
    jobs = [Job(run_id=i, point_id=i, scenario=sc, overrides={"cta.aum": 200.0 + i}, seed=i, days=1)
            for i in range(141)]
    CENSUS.clear()
    gc.collect()
    # models other tests of the session left behind are theirs; this test is about the sweep's own
    before = {id(o) for o in gc.get_objects() if isinstance(o, CapitalFlowModel)}
    execute(jobs, tmp_path / "s", workers=1, progress=False, metrics=census_metrics, flush_seconds=0.0)
    early, mid, late = CENSUS
    # A leak grows with every run, in both halves: a leaked model leaves dozens of objects per run
    # (its agents, arrays, tables). A cache warming up grows once, in one half.
    leaking = {k: (mid[k] - early[k], late[k] - mid[k]) for k in late
               if mid[k] - early[k] >= 50 and late[k] - mid[k] >= 50}
    assert leaking == {}, f"objects accumulating run after run (first half, second half): {leaking}"
    assert not any(isinstance(m, CapitalFlowModel) and id(m) not in before for m in mesa.Agent._ids)
    gc.collect()
    assert not any(isinstance(o, CapitalFlowModel) and id(o) not in before for o in gc.get_objects())


def summary_and_seed(result):
    """A custom per-run metrics function (module-level: it travels to workers by reference)."""
    m = summary_metrics(result)
    return {"spx_dd": m["SPX.max_drawdown"], "cta_flow": m.get("net_flow_by_class_bn.cta"),
            "nested": {"seed": result.seed}}


def test_a_stress_test_can_pass_its_own_metrics_and_switch_classes_off(tmp_path):
    sc = load_scenario("baseline")
    jobs = [Job(run_id=i, point_id=i // 2, scenario=sc, overrides={}, seed=1 + i % 2, days=4,
                disabled=("cta",) if i >= 2 else ()) for i in range(4)]
    execute(jobs, tmp_path / "s", workers=2, progress=False, metrics=summary_and_seed)
    s = read_summary(tmp_path / "s")
    assert list(s.columns) == ["run_id", "point_id", "seed", "status", "error", "cta_flow", "nested.seed",
                               "spx_dd"]
    assert list(s["nested.seed"]) == [1.0, 2.0, 1.0, 2.0]
    assert np.isfinite(s.loc[0, "cta_flow"]) and np.isnan(s.loc[2, "cta_flow"])   # CTA off: no CTA flow
    assert list(read_params(tmp_path / "s")["disabled"]) == ["", "", "cta", "cta"]
    assert read_manifest(tmp_path / "s")["options"]["metrics"].endswith(":summary_and_seed")


def test_sweep_plot_draws_response_curves_and_a_heatmap_of_the_swept_parameters(one_process, tmp_path):
    res = CliRunner().invoke(cli, ["sweep-plot", str(one_process), "--metric", "SPX.max_drawdown",
                                   "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == ["SPX.max_drawdown-heatmap-vol_target.aum-cta.aum.png", "SPX.max_drawdown-response.png"]
    from interlock.viz.sweep_figures import response_table
    runs = read_runs(one_process)
    t = response_table(runs, "vol_target.aum", "SPX.max_drawdown")
    by_hand = runs.groupby("vol_target.aum")["SPX.max_drawdown"].mean()
    assert list(t["level"]) == [150.0, 575.0, 1000.0]
    assert np.allclose(t["mean"], by_hand.to_numpy())
    assert (t["runs"] == 4).all()                        # 2 CTA levels × 2 seeds per level
    bad = CliRunner().invoke(cli, ["sweep-plot", str(one_process), "--x", "cta.aumm"])
    assert bad.exit_code == 2 and "not a varied parameter" in bad.output


def test_a_finished_sweep_is_not_run_again_on_resume(spec_file, one_process):
    before = json.loads((one_process / "manifest.json").read_text())
    res = CliRunner().invoke(cli, ["sweep", str(spec_file), "--out", str(one_process), "--resume", "--workers", "1"])
    assert res.exit_code == 0 and "already complete" in res.output
    assert json.loads((one_process / "manifest.json").read_text()) == before
    other = textwrap.dedent(SPEC).replace("days = 6", "days = 7")
    p = spec_file.parent / "other.toml"
    p.write_text(other, encoding="utf-8")
    res = CliRunner().invoke(cli, ["sweep", str(p), "--out", str(one_process), "--resume", "--workers", "1"])
    assert res.exit_code == 2 and "different spec" in res.output


# ----- issue #17: one writer per folder, damaged parts, the machinery failing ------------------------
ISHIGAMI = "interlock.experiments.sweeps.ishigami:run"


def ishigami_jobs(n: int) -> list:
    return [Job(run_id=i, point_id=i, scenario=None, overrides={"ishigami.x1": -3.0 + 6.0 * i / n}, seed=1, days=1,
                model=ISHIGAMI) for i in range(n)]


def test_a_second_writer_of_a_sweep_folder_is_refused_and_changes_nothing(tmp_path):
    import threading
    from interlock.experiments.outputs import LOCK_NAME, FolderBusy
    out = tmp_path / "s"
    started, release = threading.Event(), threading.Event()

    def slow_metrics(result):                 # the first writer is mid-sweep while the second tries
        started.set()
        release.wait(60)
        return {"y": result.summary["metrics"]["y"]}
    first = threading.Thread(target=execute, args=(ishigami_jobs(6), out),
                             kwargs=dict(workers=1, progress=False, metrics=slow_metrics, flush_seconds=0.0))
    first.start()
    try:
        assert started.wait(60)
        before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
        with pytest.raises(FolderBusy, match="one writer per folder") as e:
            execute(ishigami_jobs(6), out, workers=1, progress=False, resume=True)
        assert "process" in str(e.value)
        assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    finally:
        release.set()
        first.join(60)
    m = read_manifest(out)
    assert m["status"] == "complete" and m["counts"]["done"] == 6
    assert list(read_summary(out)["run_id"]) == list(range(6)) and not (out / LOCK_NAME).exists()


def test_a_corrupt_part_is_quarantined_and_its_runs_redone_on_resume(tmp_path):
    out = tmp_path / "s"
    calls = []

    def stop_after_four(result):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return {"y": result.summary["metrics"]["y"]}
    with pytest.raises(KeyboardInterrupt):
        execute(ishigami_jobs(8), out, workers=1, progress=False, metrics=stop_after_four, flush_seconds=0.0,
                runs_per_task=1)
    first = sorted((out / "parts").glob("summary-*.parquet"))[0]
    first.write_bytes(first.read_bytes()[:40])                       # a part cut short (a full disk, a crash)
    with pytest.raises(InputError, match=first.name):
        read_summary(out)                                            # reading it names the file
    calls.clear()
    calls.extend([1] * 100)                                          # no more interruptions
    report = execute(ishigami_jobs(8), out, workers=1, progress=False, metrics=stop_after_four, resume=True)
    assert report.status == "complete" and report.quarantined == [first.name]
    assert list(read_summary(out)["run_id"]) == list(range(8))
    assert len(list((out / "quarantine").iterdir())) == 1


def test_a_failure_of_the_machinery_aborts_in_one_message_and_keeps_finished_runs(tmp_path, monkeypatch):
    from interlock.experiments.sweeps import engine

    class Lost(Exception):
        """What a lost Dask scheduler raises while the sweep waits (FuturesCancelledError)."""
    real_wait, waits = engine._Inline.wait, []

    def wait(self, futures, timeout):
        waits.append(1)
        if len(waits) == 3:
            raise Lost("scheduler connection lost")
        return real_wait(self, futures, timeout)
    monkeypatch.setattr(engine._Inline, "wait", wait)
    with pytest.raises(engine.SweepAborted, match="Lost: scheduler connection lost"):
        execute(ishigami_jobs(6), tmp_path / "s", workers=1, progress=False, runs_per_task=1,
                metrics=lambda r: {"y": r.summary["metrics"]["y"]})
    m = read_manifest(tmp_path / "s")
    assert m["status"] == "aborted" and m["counts"]["done"] == 3     # what arrived before the failure is kept
    monkeypatch.setattr(engine._Inline, "wait", real_wait)
    assert execute(ishigami_jobs(6), tmp_path / "s", workers=1, progress=False, resume=True,
                   metrics=lambda r: {"y": r.summary["metrics"]["y"]}).ran_now == 3


@pytest.mark.parametrize("options,key", [({"flush_seconds": float("nan")}, "--flush-seconds"),
                                         ({"timeout": 0.0}, "--timeout"), ({"dask": "notanaddress"}, "--dask"),
                                         ({"workers": 0}, "--workers"), ({"metrics": "os:system"}, "metrics")])
def test_bad_options_are_refused_before_the_folder_is_made(tmp_path, options, key):
    with pytest.raises(InputError) as e:
        execute(ishigami_jobs(2), tmp_path / "s", progress=False, **options)
    assert key in str(e.value) and not (tmp_path / "s").exists()


def test_a_shock_after_the_last_day_is_warned_about_in_one_line_and_recorded(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('scenario = "vol_shock"\ndays = 5\nseeds = 1\n[design]\nkind = "grid"\nlevels = 2\n'
                    '[parameters]\n"vol_target.aum" = { range = [200, 300] }\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "1", "--quiet"])
    assert res.exit_code == 0, (res.output, res.exception)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "vol_spike at day 20" in lines[0], lines
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert "day 5" in manifest["meta"]["warnings"][0]


def test_a_folder_that_is_not_empty_and_holds_no_sweep_is_refused_saying_what_is_allowed(tmp_path):
    from cli_contract import assert_contract, invoke, snapshot
    spec = tmp_path / "s.toml"
    spec.write_text('scenario = "baseline"\ndays = 2\n[design]\nkind = "grid"\nlevels = 2\n'
                    '[parameters]\n"vol_target.aum" = { range = [200, 300] }\n', encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    before = snapshot(tmp_path)
    res = invoke("sweep", spec, "--out", "mine", "--workers", "1", "--quiet", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "mine", "holds no sweep",
                    "allowed: a new or empty folder, or an existing sweep folder to finish with --resume")
