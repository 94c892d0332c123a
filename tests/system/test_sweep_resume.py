"""Resume after kill -9 in the middle of a sweep: no lost and no duplicate run, and the final
tables equal those of an uninterrupted sweep (run in one process: executors agree too).

Event-driven: the kill waits for the sweep's first committed part, the check of its orphaned
workers waits for their exit; each wait has a generous overall timeout, and nothing is timed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess

import pandas as pd
import psutil
import pytest
import pyarrow.parquet as pq

from sweep_helpers import WAIT, cli_env, interlock_cmd, wait_for, wait_for_exit

SPEC = """\
scenario = "baseline"
days = 5
seeds = 2
[design]
kind = "lhs"
n = 40
seed = 5
[parameters]
"vol_target.aum" = {}
"cta.aum" = {}
"discretionary.n_traders" = {}
[outputs]
timeseries = true
every = 4
columns = ["SPX", "VOL_1M", "vol_target_exposure"]
"""
RUNS = 80


def committed(out) -> list[int]:
    ids: list[int] = []
    for p in sorted((out / "parts").glob("summary-*.parquet")):
        ids += pq.read_table(p, columns=["run_id"]).column("run_id").to_pylist()
    return ids


@pytest.mark.timeout(1200)
def test_kill_9_mid_sweep_then_resume_loses_and_duplicates_nothing(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "sweep"
    sweep = subprocess.Popen(interlock_cmd("sweep", spec, "--out", out, "--workers", "2", "--runs-per-task", "2",
                                           "--flush-seconds", "0.2", "--quiet"),
                             env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    workers: list = []
    try:
        # the event: the sweep has committed its first part (some runs are safely on disk)
        wait_for(lambda: any((out / "parts").glob("summary-*.parquet")), "the first committed part", process=sweep)
        workers = psutil.Process(sweep.pid).children(recursive=True)
        os.kill(sweep.pid, signal.SIGKILL)                      # kill -9 the sweep process
        sweep.wait(timeout=WAIT)
        before = committed(out)
        assert 0 < len(before) < RUNS, "the kill must land mid-sweep"
        assert json.loads((out / "manifest.json").read_text())["status"] == "running"
        # its pool workers notice and exit by themselves
        assert workers, "the sweep had started its pool"
        wait_for_exit(workers, "the orphaned pool workers to exit by themselves")
    finally:
        for w in workers:                                       # never leave a process behind
            with contextlib.suppress(psutil.NoSuchProcess):
                if w.is_running() and w.status() != psutil.STATUS_ZOMBIE:
                    w.kill()
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
            sweep.wait(timeout=WAIT)

    resumed = subprocess.run(interlock_cmd("sweep", spec, "--out", out, "--workers", "2", "--resume", "--quiet"),
                             env=cli_env(), capture_output=True, text=True, timeout=WAIT)
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["sessions"][-1]["runs"] == RUNS - len(set(before))      # only the missing runs ran
    summary = pd.read_parquet(out / "summary.parquet")
    assert list(summary["run_id"]) == list(range(RUNS))                     # none lost, none twice

    full = tmp_path / "uninterrupted"
    once = subprocess.run(interlock_cmd("sweep", spec, "--out", full, "--workers", "1", "--quiet"),
                          env=cli_env(), capture_output=True, text=True, timeout=WAIT)
    assert once.returncode == 0, once.stderr
    pd.testing.assert_frame_equal(summary, pd.read_parquet(full / "summary.parquet"))
    pd.testing.assert_frame_equal(pd.read_parquet(out / "params.parquet"), pd.read_parquet(full / "params.parquet"))
    ts_files = sorted(p.name for p in (out / "timeseries").glob("*.parquet"))
    assert ts_files == sorted(p.name for p in (full / "timeseries").glob("*.parquet"))
    for name in ts_files:
        a = pd.read_parquet(out / "timeseries" / name)
        pd.testing.assert_frame_equal(a, pd.read_parquet(full / "timeseries" / name))
        assert not a.duplicated(["run_id", "day"]).any()
